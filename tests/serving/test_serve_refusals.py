"""`sto-flow serve` refuses to start, with what to change and nothing started, when the settings cannot work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.serving.running import clean_env, free_port, listening

STO_FLOW = str(Path(sys.executable).with_name("sto-flow"))


def _serve(tmp_path: Path, **settings: str) -> tuple[subprocess.CompletedProcess[str], int]:
    port = free_port()
    done = subprocess.run(
        [STO_FLOW, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=tmp_path,
        env=clean_env(**settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, port


def test_production_refuses_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "sto.sqlite"
    done, port = _serve(tmp_path, STO_ENV="production", STO_SECRET_KEY="k", STO_DATABASE_URL=f"sqlite:///{database}")
    assert done.returncode != 0
    assert "does not serve production from SQLite" in done.stderr
    assert "postgresql+psycopg://" in done.stderr
    assert not listening(port) and not database.exists()


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    done, port = _serve(tmp_path, STO_ENV="production", STO_DATABASE_URL="postgresql+psycopg://u:p@127.0.0.1:1/x")
    assert done.returncode != 0
    assert "STO_SECRET_KEY must be set" in done.stderr
    assert not listening(port)


def test_a_database_that_is_not_there_is_named_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://someone:very-secret-pw@127.0.0.1:{free_port()}/nothing"
    done, port = _serve(tmp_path, STO_ENV="production", STO_SECRET_KEY="k", STO_DATABASE_URL=url)
    assert done.returncode != 0
    assert "Cannot reach the database postgresql+psycopg://someone:***@127.0.0.1" in done.stderr
    assert "very-secret-pw" not in done.stderr + done.stdout
    assert not listening(port)


@pytest.mark.parametrize("file_exists", [False, True], ids=["no database file", "an empty file"])
def test_a_database_without_the_schema_says_to_migrate(tmp_path: Path, file_exists: bool) -> None:
    database = tmp_path / "sto.sqlite"
    if file_exists:
        database.write_bytes(b"")  # an empty SQLite file: a database without a single migration
    done, port = _serve(tmp_path, STO_DATABASE_URL=f"sqlite:///{database}")
    assert done.returncode != 0
    assert "sto-flow migrate" in done.stderr
    assert not listening(port)
    assert database.exists() == file_exists  # never created by merely checking
