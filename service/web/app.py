"""The Flask app factory: reads like a checklist, starts no threads, writes no files, configures no logging."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from ..settings import Settings
from .api.openapi import docs
from .api.views import api
from .cli_logging import log_cli_commands
from .errors import register_error_handlers
from .filters import register_filters
from .health import health
from .i18n import init_i18n
from .limits import init_limits
from .metrics_endpoint import metrics_endpoint
from .pages import register_pages
from .pages.sso import init_sso
from .request_log import init_request_log
from .runtime import Runtime
from .security_headers import init_security_headers
from .session_auth import SESSION_LIFETIME
from .vendor import vendor


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Flask:
    """Build the web app for the given settings (default: from the environment)."""
    if runtime is None:
        settings = settings or Settings.from_env()
        runtime = Runtime.from_settings(settings)
    app = Flask("service.web")
    app.config.update(
        SECRET_KEY=runtime.settings.secret_key,
        # A few files per form: room for them, while a single file over the per-file limit still gets a
        # friendly message next to its field.
        MAX_CONTENT_LENGTH=4 * runtime.settings.max_upload_bytes + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=runtime.settings.is_production,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    init_request_log(app)  # first: every later hook's log lines carry the request id
    init_limits(app)  # before any route: the id converter applies to the routes added after it
    app.json.sort_keys = False
    app.extensions["sto"] = runtime
    csrf = CSRFProtect(app)
    csrf.exempt(api)  # the API authenticates with bearer tokens, which a browser never sends by itself
    init_i18n(app)
    register_filters(app)
    register_pages(app)
    init_sso(app)  # single sign-on: the routes answer 404 unless STO_OIDC_* is set
    app.register_blueprint(api)
    app.register_blueprint(docs)
    app.register_blueprint(vendor)
    app.register_blueprint(health)
    app.register_blueprint(metrics_endpoint)
    register_error_handlers(app)
    # form-action stays 'self': single sign-on starts from a link (GET), not a form, so no provider origin is needed.
    init_security_headers(app, production=runtime.settings.is_production)
    from ..cli import register_cli

    register_cli(app)
    # No logging set-up here: creating the app has no side effects; each entry point calls configure_logging().
    log_cli_commands(app)  # after every command is registered; creating the app itself configures no logging
    return app
