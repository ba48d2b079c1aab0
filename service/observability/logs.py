"""Log lines: JSON in production (one object per line, for a log shipper), readable text in development.

python-json-logger rather than structlog: every module here, and APScheduler, waitress, gunicorn and Alembic, log
through the standard `logging` module; a JSON formatter on the one root handler turns all of them into JSON lines
without touching a call site, where structlog would add a second logging pipeline to bridge.

Every line made while a web request runs carries that request's id (`request_id`, from a context variable the web
layer sets), and keys that look like secrets in `extra={...}` are scrubbed before anything is written."""

from __future__ import annotations

import contextvars
import logging
import os
import re
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("sto_request_id", default=None)

REDACTED = "[redacted]"
SECRET_KEY = re.compile(r"pass|token|secret|authori[sz]ation|cookie|api[-_]?key|credential|session", re.IGNORECASE)
# Attributes every LogRecord has; anything else on a record came from `extra=` and is checked for secrets.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}
_MARK = "_sto_handler"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on the record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


def scrub(value: Any) -> Any:
    """A copy of `value` in which every dict entry whose key looks like a secret is replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and SECRET_KEY.search(k) else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


class ScrubSecretsFilter(logging.Filter):
    """Replaces extra fields (and keys nested in them) named like passwords, tokens, cookies or Authorization."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key in [k for k in record.__dict__ if k not in _STANDARD]:
            value = record.__dict__[key]
            record.__dict__[key] = REDACTED if SECRET_KEY.search(key) else scrub(value)
        return True


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the moment of writing (a test runner swaps it), never to a closed one."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "{levelname}{name}{message}{request_id}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # ISO 8601 in UTC
    )


def wants_json() -> bool:
    # Read here rather than from Settings: logging is set up first, so that a bad setting is itself logged.
    return os.environ.get("STO_ENV") == "production" or os.environ.get("STO_LOG_JSON", "") in {"1", "true", "yes"}


def configure_logging(*, json: bool | None = None) -> None:
    """Send every log line to stderr as JSON (json=True; default in production or with STO_LOG_JSON=1) or as
    readable text. Safe to call more than once: it replaces the handler it added before and no other."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    setattr(handler, _MARK, True)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(ScrubSecretsFilter())
    as_json = wants_json() if json is None else json
    handler.setFormatter(json_formatter() if as_json else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change at INFO
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every run of every job at INFO
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd (the dev catch-all): every SMTP line at INFO
