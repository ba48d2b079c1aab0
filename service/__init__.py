"""STO Flow: BPMN workflows for the regions of Sterk Techniekonderwijs."""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The Flask app (`flask --app service`); imported lazily so `import service.models` stays light."""
    from .web.app import create_app as build

    return build(*args, **kwargs)
