"""What a web server process loads: logging first, then the app (`service.serving.wsgi:create_served_app()` for
gunicorn, `--call service.serving.wsgi:create_served_app` for waitress). create_app itself configures nothing."""

from __future__ import annotations

import logging
import os

from flask import Flask

from ..observability.logs import configure_logging
from ..settings import DEV_SECRET_FILE
from ..web.app import create_app

log = logging.getLogger("service.serving")


def create_served_app() -> Flask:
    """The app as a server process runs it: with the service's logging set up."""
    configure_logging()
    if not os.environ.get("STO_SECRET_KEY") and not DEV_SECRET_FILE.exists():
        # Settings then make up a key for this process alone (production refuses to start instead).
        log.warning(
            "no STO_SECRET_KEY and no %s: this process signs sign-ins with a random key of its own; they end when it "
            "stops and do not hold in other worker processes",
            DEV_SECRET_FILE,
        )
    return create_app()
