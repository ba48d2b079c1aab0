"""STO Flow: BPMN workflows for the regions of Sterk Techniekonderwijs."""

from .web.app import create_app

__all__ = ["create_app"]
