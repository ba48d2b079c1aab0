"""Fixtures of the fault tests: a private PostgreSQL cluster (session-wide; a test may stop and start it) and,
per test, a database in it, migrated, with the demo data and the diagrams deployed."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from service.db import Database
from service.domain import definitions, demo
from service.migrate import upgrade_database
from service.runtime import utc_now
from service.settings import ROOT

from .private_postgres import PrivateCluster, find_bindir


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivateCluster]:
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL's initdb is not installed (apt-get install postgresql): no private cluster")
    cluster = PrivateCluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def load_demo(database_url: str) -> None:
    """Migrate, deploy bpmn/ and load the demo accounts (cheap password hashes: sign-in under load stays fast)."""
    upgrade_database(database_url)
    db = Database(database_url)
    try:
        with db.transaction(write=True) as session:
            demo.load_demo_data(session, now=utc_now(), fast_hash=True)
            definitions.deploy_directory(
                session, bpmn_dir=ROOT / "bpmn", forms_dir=ROOT / "forms", now=utc_now(), deployed_by="tests"
            )
    finally:
        db.dispose()


@pytest.fixture
def fault_database(private_postgres: PrivateCluster, request: pytest.FixtureRequest) -> Callable[[], str]:
    """fault_database() -> the URL of a fresh demo database named after the test, in the private cluster."""

    def make() -> str:
        if not private_postgres.is_running():  # a test before this one stopped it and failed halfway
            private_postgres.start()
        url = private_postgres.create_database(f"sto_{request.node.name[:40].lower()}")
        load_demo(url)
        return url

    return make
