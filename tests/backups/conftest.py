"""PostgreSQL databases of the backup tests' own (fresh for every test), with a login role whose password
appears nowhere else, so a test can tell whether it leaked. Skipped only when no PostgreSQL server answers."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

# The server the suite uses on PostgreSQL, or the local one CI starts.
DEFAULT_SERVER = "postgresql+psycopg://sto_ci:sto_ci@127.0.0.1:5432/postgres"
ROLE = "sto_backups_test"
DATABASES = ("sto_backups_a", "sto_backups_b")


@dataclass(frozen=True)
class PgDatabases:
    a: str  # SQLAlchemy URLs, with the role's password in them
    b: str
    password: str


def _server_url() -> URL:
    configured = os.environ.get("STO_TEST_DATABASE_URL", "")
    return make_url(configured if configured.startswith("postgresql") else DEFAULT_SERVER)


def _as_admin(server: URL, statements: list[str]) -> None:
    """Run statements as a role that may create roles and databases: the server's own, else `su postgres`."""
    engine = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            may = connection.execute(
                text("SELECT rolcreatedb AND rolcreaterole FROM pg_roles WHERE rolname = current_user")
            )
            if may.scalar():
                for statement in statements:
                    connection.execute(text(statement))
                return
    finally:
        engine.dispose()
    # Through stdin, so the role's password is on no command line.
    done = subprocess.run(
        [
            "su",
            "postgres",
            "-c",
            f"psql -q -v ON_ERROR_STOP=1 -p {server.port or 5432}",  # its own socket: peer authentication
        ],
        input="\n".join(f"{s};" for s in statements),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"cannot create the backup tests' role and databases as postgres: {done.stderr.strip()}")


@pytest.fixture
def pg_databases() -> Iterator[PgDatabases]:
    server = _server_url()
    try:
        engine = create_engine(server, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except OperationalError as err:
        pytest.skip(f"no PostgreSQL server reachable at {server.host}:{server.port}: {err.orig}")
    password = "pw-" + secrets.token_urlsafe(18)
    drop = [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in DATABASES]
    _as_admin(
        server,
        [
            *drop,
            f"DO $$BEGIN CREATE ROLE {ROLE} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$",
            f"ALTER ROLE {ROLE} LOGIN PASSWORD '{password}'",
            *[f"CREATE DATABASE {name} OWNER {ROLE}" for name in DATABASES],
        ],
    )
    urls = [server.set(username=ROLE, password=password, database=name) for name in DATABASES]
    yield PgDatabases(*(u.render_as_string(hide_password=False) for u in urls), password=password)
    _as_admin(server, [*drop, f"DROP ROLE IF EXISTS {ROLE}"])
