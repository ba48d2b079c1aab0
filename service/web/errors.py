"""Turn errors into HTTP: JSON under /api, a friendly Dutch page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from ..domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    ProcessFailed,
    StateUnreadable,
)
from ..domain.incidents import record_unreadable
from .messages import flatten_marshmallow, translate, translate_fields
from .runtime import runtime

log = logging.getLogger(__name__)
# What a client is told to wait after the database was unreachable: a restart of PostgreSQL takes seconds.
RETRY_AFTER_SECONDS = 5

STATUS = {
    StateUnreadable: 503,
    NotAuthenticated: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    ProcessFailed: 422,
}


def _title(status: int) -> str:
    titles = {
        400: _("Ongeldig verzoek"),
        401: _("Niet aangemeld"),
        403: _("Geen toegang"),
        404: _("Niet gevonden"),
        405: _("Niet toegestaan"),
        409: _("Iemand was u voor"),
        413: _("Het verzoek is te groot"),
        422: _("Niet verwerkt"),
        429: _("Te veel pogingen. Wacht een minuut en probeer het opnieuw."),
        500: _("Er ging iets mis"),
        503: _("Dit verzoek kan niet worden geladen"),
    }
    return titles.get(status, _("Fout"))


def _sentence(status: int) -> str:
    """One sentence under the heading of an error page: what happened and what to do now."""
    sentences = {
        400: _("Wat u verstuurde konden we niet lezen. Probeer het opnieuw."),
        401: _("Meld u aan om verder te gaan."),
        403: _("U heeft geen toegang tot deze pagina."),
        404: _("Deze pagina bestaat niet (meer), of u heeft er geen toegang toe. Controleer het adres."),
        405: _("Deze pagina kan niet op deze manier worden geopend."),
        413: _("Wat u verstuurde is groter dan toegestaan. Kies een kleiner bestand."),
        429: _("U probeerde het te vaak kort na elkaar."),
        500: _("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
    }
    return sentences.get(status, _("Probeer het later opnieuw."))


def _is_api() -> bool:
    # The process editor's page scripts send JSON and read JSON errors back (field messages, conflicts).
    return request.path.startswith("/api/") or request.is_json


def _respond(
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    instance_id: int | None = None,
    title: str | None = None,
) -> Response:
    if _is_api():
        body: dict[str, object] = {"error": code, "message": message}
        if fields is not None:
            body["fields"] = fields
        response = jsonify(body)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="sto-flow"'
    else:
        title = title or _title(status)
        if message.strip().rstrip(".").casefold() == title.casefold():  # say it once: a heading and a sentence
            message = _sentence(status)
        page = render_template(
            "error.html",
            status=status,
            title=title,
            message=message,
            fields=fields or {},
            instance_id=instance_id,
        )
        response = Response(page)
    response.status_code = status
    return response


def _record_unreadable(err: StateUnreadable) -> None:
    """Make the damaged instance an incident, so administrators see it (in its own transaction: the request's
    own was rolled back)."""
    log.error("state of instance %s cannot be loaded: %s", err.instance_id, err.detail)
    rt = runtime()
    try:
        with rt.transaction(write=True) as session:
            record_unreadable(session, err=err, now=rt.clock())
    except Exception:  # the page still says what is wrong; the log has the rest
        log.exception("could not record the incident of instance %s", err.instance_id)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(DomainError)
    def _domain(err: DomainError) -> Response:
        if isinstance(err, NotAuthenticated) and not _is_api():
            return redirect(
                url_for("auth.sign_in_page", next=request.full_path.rstrip("?") if request.method == "GET" else None)
            )
        status = next((s for cls, s in STATUS.items() if isinstance(err, cls)), 400)
        if isinstance(err, ProcessFailed):
            log.warning("process step failed: %s", err.detail)
        if isinstance(err, StateUnreadable):
            _record_unreadable(err)
        fields = translate_fields(err.fields) if isinstance(err, InvalidInput) else None
        instance_id = err.instance_id if isinstance(err, (Conflict, StateUnreadable)) else None
        return _respond(status, err.code, translate(err.message), fields, instance_id)

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> Response:
        message = _(
            "Dit formulier is verlopen of niet vanaf deze site verstuurd. "
            "Laad de pagina opnieuw en probeer het nog eens."
        )
        return _respond(400, "csrf", message)

    @app.errorhandler(ValidationError)
    def _schema(err: ValidationError) -> Response:
        fields = translate_fields(flatten_marshmallow(err.messages))
        return _respond(422, "invalid", _("De aanvraag is niet goed ingevuld."), fields)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        status = err.code or 500
        return _respond(status, err.name.lower().replace(" ", "_"), _title(status))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log.exception("unhandled error")
        return _respond(500, "internal_error", _("Er ging iets mis aan onze kant. Probeer het later opnieuw."))

    @app.errorhandler(DBAPIError)
    def _database(err: DBAPIError) -> Response:
        if not (isinstance(err, OperationalError) or err.connection_invalidated):
            return _unexpected(err)  # a constraint or a bad statement is a bug, not an outage
        return _database_unavailable(err)


def _database_unavailable(err: DBAPIError) -> Response:
    """The database cannot be reached (restarting, a dropped connection): 503 with Retry-After, not a 500.
    The request's transaction was rolled back, unless the connection broke during COMMIT: then the database alone
    knows, so the message asks to check before trying again. The pool reconnects on its own (pool_pre_ping)."""
    # Only the driver's class and first line: the full message can name hosts and the statement's parameters.
    first_line = str(err.orig).splitlines()[0] if str(err.orig) else ""
    log.warning("database unavailable: %s: %s", type(err.orig).__name__, first_line[:200])
    # The layout reads the menu from the database; the page must not need the database it reports missing.
    g.pop("user", None)
    response = _respond(
        503,
        "database_unavailable",
        _(
            "STO Flow kan de database even niet bereiken. Probeer het over een paar seconden opnieuw; "
            "controleer dan eerst of wat u net verstuurde al is opgeslagen."
        ),
        title=_("Even niet bereikbaar"),
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
