"""Shared fixtures: a real database (a SQLite file, or PostgreSQL when STO_TEST_DATABASE_URL is set), migrated
once with Alembic and emptied before each test, the demo data, a fixed clock, and the Flask app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from service.db import Database
from service.domain import definitions, demo
from service.domain.forms import FormLibrary
from service.migrate import upgrade_database
from service.models import Base
from service.runtime import bpmn_linter
from service.settings import ROOT, Settings
from service.web.app import create_app
from service.web.runtime import Runtime

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand; nothing sleeps."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("STO_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    upgrade_database(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        bpmn_dir=ROOT / "bpmn",
        forms_dir=ROOT / "forms",
        fast_password_hashing=True,
        login_rate_limit="1000 per minute",
    )


def empty_database(db: Database) -> None:
    """Delete every row (children first), keeping the migrated schema."""
    with db.write_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(text(f"DELETE FROM {table.name}"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    db = Database(settings.database_url)
    empty_database(db)
    rt = Runtime(
        settings=settings,
        db=db,
        forms=FormLibrary(settings.forms_dir),
        clock=clock,
        linter=bpmn_linter(settings.node_modules_dir),
    )
    with rt.transaction(write=True) as session:
        demo.load_demo_data(session, now=clock(), fast_hash=True)
        definitions.deploy_directory(
            session, bpmn_dir=settings.bpmn_dir, forms_dir=settings.forms_dir, now=clock(), deployed_by="tests"
        )
    yield rt
    db.dispose()


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class ApiUser:
    """A signed-in API user: every call carries their bearer token."""

    client: FlaskClient
    email: str
    token: str

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self._headers())

    def post(self, path: str, json: Any = None) -> Any:
        return self.client.post(path, json=json if json is not None else {}, headers=self._headers())


@pytest.fixture
def login(client: FlaskClient):  # type: ignore[no-untyped-def]
    """login('projectleider@demo.sto') -> ApiUser."""

    def _login(email: str, password: str = demo.DEMO_PASSWORD) -> ApiUser:
        response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
        assert response.status_code == 200, response.json
        return ApiUser(client, email, response.json["token"])

    return _login
