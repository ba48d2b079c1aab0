"""Turn domain errors into HTTP: JSON under /api, a plain Dutch page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    ProcessFailed,
)

log = logging.getLogger(__name__)

STATUS = {NotAuthenticated: 401, NotAllowed: 403, NotFound: 404, Conflict: 409, InvalidInput: 422, ProcessFailed: 422}
TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Niet toegestaan",
    409: "Conflict",
    413: "Het verzoek is te groot",
    422: "Niet verwerkt",
    429: "Te veel pogingen. Wacht een minuut en probeer het opnieuw.",
    500: "Er ging iets mis",
}


def _respond(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    if request.path.startswith("/api/"):
        body: dict[str, object] = {"error": code, "message": message}
        if fields is not None:
            body["fields"] = fields
        response = jsonify(body)
    else:
        response = Response(
            render_template("error.html", title=TITLES.get(status, "Fout"), message=message, fields=fields or {})
        )
    response.status_code = status
    if status == 401 and request.path.startswith("/api/"):
        response.headers["WWW-Authenticate"] = 'Bearer realm="sto-flow"'
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(DomainError)
    def _domain(err: DomainError) -> Response:
        status = next((s for cls, s in STATUS.items() if isinstance(err, cls)), 400)
        if isinstance(err, ProcessFailed):
            log.warning("process step failed: %s", err.detail)
        fields = err.fields if isinstance(err, InvalidInput) else None
        return _respond(status, err.code, err.message, fields)

    @app.errorhandler(ValidationError)
    def _schema(err: ValidationError) -> Response:
        messages = err.messages if isinstance(err.messages, dict) else {"": err.messages}
        fields = {k: " ".join(v) if isinstance(v, list) else str(v) for k, v in messages.items()}
        return _respond(422, "invalid", "De aanvraag is niet goed ingevuld.", fields)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        status = err.code or 500
        return _respond(status, err.name.lower().replace(" ", "_"), TITLES.get(status, err.description or ""))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log.exception("unhandled error")
        return _respond(500, "internal_error", "Er ging iets mis aan onze kant. Probeer het later opnieuw.")
