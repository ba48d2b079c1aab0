"""Is this installation ready for work? The database answers, its schema is at the newest migration, and a
scheduler (timers, mail, reminders) reported recently. Checked on a connection of its own with short timeouts:
a database that is down or hangs is exactly when /readyz must answer quickly."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.pool import NullPool

from ..migrate import alembic_config
from ..models import SchedulerHeartbeat

log = logging.getLogger(__name__)
CONNECT_SECONDS = 2
STATEMENT_MILLISECONDS = 2000


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        failed = [name for name, check in self.checks.items() if not check.ok]
        return {
            "status": "ok" if not failed else "unavailable",
            "failed": failed,
            "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in self.checks.items()},
        }


def probe_engine(database_url: str) -> Engine:
    """An engine that gives up fast: no pool (a broken pooled connection must not be reused), short timeouts."""
    if database_url.startswith("sqlite"):
        return create_engine(database_url, poolclass=NullPool, connect_args={"timeout": CONNECT_SECONDS})
    options = f"-c statement_timeout={STATEMENT_MILLISECONDS} -c lock_timeout={STATEMENT_MILLISECONDS}"
    return create_engine(
        database_url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_SECONDS, "options": options}
    )


@cache
def migration_heads() -> frozenset[str]:
    """The newest revision(s) this code knows (read from migrations/ once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


def check_readiness(engine: Engine, *, now: datetime, heartbeat_max_age: float) -> Readiness:
    """Every check, each with a sentence in plain words; never raises."""
    try:
        connection = engine.connect()
    except Exception as err:
        log.warning("readiness: the database cannot be reached (%s)", type(err).__name__)
        skipped = Check(False, "not checked: the database cannot be reached")
        return Readiness(
            {
                "database": Check(False, f"the database cannot be reached ({type(err).__name__})"),
                "migrations": skipped,
                "scheduler": skipped,
            }
        )
    with connection:
        checks = {"database": Check(True, "the database answers")}
        checks["migrations"] = _guarded(lambda: _migrations(connection))
        checks["scheduler"] = _guarded(lambda: _scheduler(connection, now, heartbeat_max_age))
        connection.rollback()
    return Readiness(checks)


def _guarded(check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as err:  # e.g. a table missing before the first migration, or a statement timeout
        log.warning("readiness: a check failed (%s: %s)", type(err).__name__, err)
        return Check(False, f"could not be checked ({type(err).__name__})")


def _migrations(connection: Connection) -> Check:
    # Read Alembic's table directly: MigrationContext.configure logs two INFO lines, on every probe.
    current: frozenset[str] = frozenset()
    if inspect(connection).has_table("alembic_version"):
        current = frozenset(connection.scalars(text("SELECT version_num FROM alembic_version")))
    heads = migration_heads()
    if current == heads:
        return Check(True, f"the schema is at the newest migration ({', '.join(sorted(heads))})")
    at = ", ".join(sorted(current)) or "none"
    newest = ", ".join(sorted(heads))
    return Check(False, f"the schema is at migration {at}, the newest is {newest}: run the migrations")


def _scheduler(connection: Connection, now: datetime, max_age: float) -> Check:
    connection.rollback()  # a failed statement before must not poison this one (PostgreSQL)
    seen = connection.scalar(select(func.max(SchedulerHeartbeat.seen_at)))
    if seen is None:
        return Check(False, "no scheduler has reported: timers, mail and reminders do not run")
    age = (now - seen).total_seconds()
    if age > max_age:
        return Check(
            False,
            f"the newest scheduler heartbeat is {age:.0f} seconds old (more than {max_age:.0f}): "
            "timers, mail and reminders may not run",
        )
    return Check(True, f"a scheduler reported {max(age, 0):.0f} seconds ago")
