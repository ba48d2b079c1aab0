"""The Flask app factory: reads like a checklist, starts no threads."""

from __future__ import annotations

import logging

from flask import Flask

from ..db import Database
from ..domain.forms import FormLibrary
from ..settings import Settings
from .api.openapi import docs
from .api.views import api
from .errors import register_error_handlers
from .limits import limiter
from .pages import pages
from .runtime import Runtime


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Flask:
    """Build the web app for the given settings (default: from the environment)."""
    if runtime is None:
        settings = settings or Settings.from_env()
        runtime = Runtime(settings=settings, db=Database(settings.database_url), forms=FormLibrary(settings.forms_dir))
    app = Flask("service.web")
    app.config.update(SECRET_KEY=runtime.settings.secret_key, JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    app.json.sort_keys = False
    app.extensions["sto"] = runtime
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_blueprint(docs)
    limiter.init_app(app)
    register_error_handlers(app)
    from ..cli import register_cli

    register_cli(app)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change at INFO
    return app
