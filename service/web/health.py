"""/healthz (the process answers) and /readyz (ready for work: database, migrations, scheduler) for load balancers
and orchestrators. No sign-in, no secrets in the answer, and never a 500: a failing check is a 503 that says which."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import Engine

from ..observability.readiness import check_readiness, probe_engine
from .limits import limiter
from .runtime import runtime

health = Blueprint("health", __name__)
_PROBE = "sto_readiness_engine"


@health.get("/healthz")
@limiter.exempt
def healthz() -> dict[str, Any]:
    """Alive: answers without touching the database (a restart would not fix a database that is down)."""
    return {"status": "ok"}


@health.get("/readyz")
@limiter.exempt
def readyz() -> tuple[dict[str, Any], int]:
    rt = runtime()
    readiness = check_readiness(_engine(), now=rt.clock(), heartbeat_max_age=rt.settings.heartbeat_max_age_seconds)
    return readiness.as_json(), 200 if readiness.ok else 503


def _engine() -> Engine:
    engine = current_app.extensions.get(_PROBE)
    if engine is None:
        engine = current_app.extensions[_PROBE] = probe_engine(runtime().settings.database_url)
    return engine
