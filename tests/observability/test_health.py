"""/healthz and /readyz as a load balancer sees them: no sign-in, plain words, 503 (never 500) when not ready."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from service.jobs.heartbeat import beat, heartbeat_name, stop_beating
from service.models import SchedulerHeartbeat
from service.observability.readiness import migration_heads
from service.web.app import create_app
from service.web.runtime import Runtime


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ready(app: Flask) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = app.test_client().get("/readyz")
    assert response.is_json, response.get_data(as_text=True)[:300]
    return response.status_code, response.json


def test_healthz_answers_without_the_database(runtime: Runtime) -> None:
    broken = dataclasses.replace(runtime.settings, database_url=f"postgresql+psycopg://x:y@127.0.0.1:{_free_port()}/z")
    runtime.settings = broken
    response = create_app(runtime=runtime).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_ready_with_a_fresh_heartbeat(app: Flask, runtime: Runtime, clock) -> None:  # type: ignore[no-untyped-def]
    assert beat(runtime, heartbeat_name(), started_at=clock())
    clock.advance(seconds=30)
    status, body = _ready(app)
    assert status == 200, body
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["scheduler"]["detail"] == "a scheduler reported 30 seconds ago"
    assert body["checks"]["migrations"]["ok"] and body["checks"]["database"]["ok"]


def test_not_ready_when_the_heartbeat_is_old_or_missing(app: Flask, runtime: Runtime, clock) -> None:  # type: ignore[no-untyped-def]
    status, body = _ready(app)
    assert status == 503
    assert body["failed"] == ["scheduler"]
    assert body["checks"]["scheduler"]["detail"] == "no scheduler has reported: timers, mail and reminders do not run"

    assert beat(runtime, heartbeat_name(), started_at=clock())
    clock.advance(seconds=61)  # STO_HEARTBEAT_MAX_AGE_SECONDS defaults to 60
    status, body = _ready(app)
    assert status == 503
    assert body["failed"] == ["scheduler"]
    assert body["checks"]["scheduler"]["detail"].startswith("the newest scheduler heartbeat is 61 seconds old")

    runtime.settings = dataclasses.replace(runtime.settings, heartbeat_max_age_seconds=120)
    assert _ready(app)[0] == 200  # the setting decides what "recent" is


def test_a_clean_stop_removes_the_heartbeat(app: Flask, runtime: Runtime, clock) -> None:  # type: ignore[no-untyped-def]
    name = heartbeat_name()
    assert beat(runtime, name, started_at=clock())
    clock.advance(seconds=5)
    assert beat(runtime, name, started_at=clock())  # renewed, not a second row
    with runtime.transaction(write=False) as session:
        rows = session.query(SchedulerHeartbeat).all()
        assert [(r.name, r.seen_at) for r in rows] == [(name, clock())]
    stop_beating(runtime, name)
    assert _ready(app)[1]["failed"] == ["scheduler"]


@pytest.fixture
def schema_one_behind(runtime: Runtime) -> Iterator[None]:
    """The database's recorded migration set back one step (as after deploying new code without migrating)."""
    (head,) = migration_heads()
    with runtime.db.write_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0013_previous'"))
    try:
        yield
    finally:
        with runtime.db.write_engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})


def test_not_ready_when_migrations_are_not_at_head(app: Flask, runtime: Runtime, clock, schema_one_behind) -> None:  # type: ignore[no-untyped-def]
    assert beat(runtime, heartbeat_name(), started_at=clock())
    status, body = _ready(app)
    assert status == 503
    assert body["failed"] == ["migrations"]
    detail = body["checks"]["migrations"]["detail"]
    assert detail.startswith("the schema is at migration 0013_previous, the newest is 0014")
    assert detail.endswith("run the migrations")
    assert body["checks"]["scheduler"]["ok"]


def _down(runtime: Runtime, url: str) -> Flask:
    runtime.settings = dataclasses.replace(runtime.settings, database_url=url)
    return create_app(runtime=runtime)


def _assert_database_down(app: Flask, *, within: float) -> None:
    began = time.monotonic()
    status, body = _ready(app)
    assert time.monotonic() - began < within
    assert status == 503
    assert body["failed"] == ["database", "migrations", "scheduler"]
    assert body["checks"]["database"]["detail"].startswith("the database cannot be reached")
    assert body["checks"]["scheduler"]["detail"] == "not checked: the database cannot be reached"


def test_not_ready_quickly_when_postgresql_is_not_listening(runtime: Runtime) -> None:
    url = f"postgresql+psycopg://sto_ci:not-this-password@127.0.0.1:{_free_port()}/sto"
    app = _down(runtime, url)
    _assert_database_down(app, within=3)
    assert "not-this-password" not in app.test_client().get("/readyz").get_data(as_text=True)


def test_not_ready_within_seconds_when_the_database_server_never_answers(runtime: Runtime) -> None:
    # A server that accepts the connection and then says nothing, like a hung database or a dropped route.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True)
    thread.start()
    try:
        app = _down(runtime, f"postgresql+psycopg://sto_ci:sto_ci@127.0.0.1:{silent.getsockname()[1]}/sto")
        _assert_database_down(app, within=6)
    finally:
        for connection in accepted:
            connection.close()
        silent.close()


def test_not_ready_when_the_sqlite_file_cannot_be_opened(runtime: Runtime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a-file").write_text("not a directory")
    _assert_database_down(_down(runtime, f"sqlite:///{tmp_path / 'a-file' / 'sto.sqlite'}"), within=3)


def test_a_heartbeat_that_cannot_be_written_breaks_nothing(runtime: Runtime, caplog) -> None:  # type: ignore[no-untyped-def]
    from service.db import Database

    runtime.db.dispose()
    runtime.db = Database(f"postgresql+psycopg://sto_ci:sto_ci@127.0.0.1:{_free_port()}/sto?connect_timeout=2")
    assert beat(runtime, heartbeat_name(), started_at=runtime.clock()) is False  # no exception reaches the job runner
    assert "the scheduler heartbeat could not be written" in caplog.text
    stop_beating(runtime, heartbeat_name())  # nor on the way out
