"""pg_dump and pg_restore run with libpq arguments taken from the SQLAlchemy URL. The password travels only in
the child's PGPASSWORD environment variable: never on a command line (visible in `ps`), never in output."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from .files import BackupError

# URL query options libpq also reads from the environment (postgresql+psycopg://...?sslmode=require).
_QUERY_TO_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


@dataclass(frozen=True)
class Connection:
    """Where a PostgreSQL tool connects: arguments for its command line, and the password kept apart."""

    arguments: list[str]
    environment: dict[str, str]
    password: str = field(default="", repr=False)
    database: str = ""


def connection(database_url: str) -> Connection:
    """libpq arguments for postgresql+psycopg://user:password@host:port/database?sslmode=..."""
    url = make_url(database_url)
    if not url.database:
        raise BackupError("the configured PostgreSQL URL names no database")
    arguments = [f"--dbname={url.database}"]
    if url.host:
        arguments.append(f"--host={url.host}")
    if url.port:
        arguments.append(f"--port={url.port}")
    if url.username:
        arguments.append(f"--username={url.username}")
    environment = {"PGAPPNAME": "sto-flow-backup"}
    for option, variable in _QUERY_TO_ENV.items():
        value = url.query.get(option)
        if isinstance(value, str):
            environment[variable] = value
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return Connection(arguments, environment, str(url.password or ""), url.database)


def run(tool: str, arguments: list[str], target: Connection, *, bin_dir: Path | None) -> str:
    """Run a PostgreSQL client tool; its stdout, or BackupError with its stderr (password blanked)."""
    program = _find(tool, bin_dir)
    environment = {**os.environ, **target.environment}
    try:
        done = subprocess.run(
            [program, "--no-password", *arguments],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as err:
        raise BackupError(f"{tool} could not be started: {err.strerror}") from None
    if done.returncode != 0:
        message = hide(done.stderr.strip() or f"exit status {done.returncode}", target.password)
        raise BackupError(f"{tool} failed: {message}")
    return done.stdout


def hide(text: str, password: str) -> str:
    """Text as it may be shown: without the password, should a tool ever repeat it."""
    return text.replace(password, "********") if password else text


def _find(tool: str, bin_dir: Path | None) -> str:
    found = shutil.which(tool, path=str(bin_dir)) if bin_dir else shutil.which(tool)
    if found is None:
        where = f"in {bin_dir} (STO_PG_BIN_DIR)" if bin_dir else "on the PATH"
        raise BackupError(
            f"{tool} was not found {where}: install the PostgreSQL client tools of the server's version "
            "(Debian: apt-get install postgresql-client-15) or set STO_PG_BIN_DIR to their directory"
        )
    return found
