"""The app as a web server process runs it: logging configured first (`waitress --call`, see service/launcher.py)."""

from __future__ import annotations

from flask import Flask

from ..observability.logs import configure_logging
from .app import create_app


def create_app_with_logs() -> Flask:
    configure_logging()
    return create_app()
