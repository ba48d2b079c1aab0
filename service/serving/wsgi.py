"""What a web server process loads: logging first, then the app (`service.serving.wsgi:create_served_app()` for
gunicorn, `--call service.serving.wsgi:create_served_app` for waitress). create_app itself configures nothing."""

from __future__ import annotations

from flask import Flask

from ..observability.logs import configure_logging
from ..web.app import create_app


def create_served_app() -> Flask:
    """The app as a server process runs it: with the service's logging set up."""
    configure_logging()
    return create_app()
