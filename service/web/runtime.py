"""The runtime of the current Flask app."""

from __future__ import annotations

from flask import current_app

from ..runtime import Runtime, utc_now

__all__ = ["Runtime", "runtime", "utc_now"]


def runtime() -> Runtime:
    """The runtime of the current app."""
    return current_app.extensions["sto"]
