"""A restore refuses what is not a good backup of the configured kind, and a database still in use, before it
changes anything: the database afterwards is the one before, row for row."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from service.backups import BackupError, backup_database, restore_database
from tests.conftest import FakeClock

from .conftest import PgDatabases
from .sample import request_with_offerte, rows, service_on

GARBAGE = b"Dit is geen back-up, alleen wat tekst.\n" * 50


def _sqlite_refusals(tmp_path: Path, good_backup: Path) -> list[tuple[Path, str]]:
    """Files an SQLite restore must refuse, with the words its message must contain."""
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(GARBAGE)
    pg_dump_file = tmp_path / "from-postgres.dump"
    pg_dump_file.write_bytes(b"PGDMP\x01\x0e\x00" + GARBAGE)
    content = good_backup.read_bytes()
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(content[: 64 * 1024])
    damaged = tmp_path / "damaged.sqlite"
    page = 4096 * 10  # a table page overwritten, as a failing disk would
    damaged.write_bytes(content[:page] + b"\x0d" + b"\xff" * 4095 + content[page + 4096 :])
    other_database = tmp_path / "other.sqlite"
    with sqlite3.connect(other_database) as connection:
        connection.execute("CREATE TABLE boodschappen (wat TEXT)")
    connection.close()
    return [
        (garbage, "is not a backup of STO Flow"),
        (pg_dump_file, "is a PostgreSQL (pg_dump custom format) backup, but the configured database is SQLite"),
        (truncated, "cannot be read as an SQLite database"),
        (damaged, "cannot be read as an SQLite database"),
        (other_database, "not a database of STO Flow"),
        (tmp_path / "missing.sqlite", "no such file"),
    ]


def test_sqlite_restore_refuses_garbage_the_wrong_kind_and_damaged_files_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sto.sqlite'}"
    good = tmp_path / "good.sqlite"
    with service_on(url, FakeClock()) as rt:
        request_with_offerte(rt)
        backup_database(url, good)
        request_with_offerte(rt)  # the database now differs from the backup
        before = rows(rt)
    file_before = hashlib.sha256((tmp_path / "sto.sqlite").read_bytes()).hexdigest()

    for bad, reason in _sqlite_refusals(tmp_path, good):
        with pytest.raises(BackupError) as refused:
            restore_database(url, bad)
        assert reason in str(refused.value), bad

    assert hashlib.sha256((tmp_path / "sto.sqlite").read_bytes()).hexdigest() == file_before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no half-checked copy left
    with service_on(url, FakeClock(), seed=False) as rt:
        assert rows(rt) == before


def test_sqlite_restore_is_refused_while_the_service_has_the_database_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sto.sqlite'}"
    backup = tmp_path / "sto.backup"
    with service_on(url, FakeClock()) as running:
        backup_database(url, backup)
        request_with_offerte(running)
        before = rows(running)  # the service's connections stay open, as they do while it runs

        with pytest.raises(BackupError) as refused:
            restore_database(url, backup)

        assert "is in use: stop the service" in str(refused.value)
        assert rows(running) == before
    # Stopped, the same restore goes through.
    assert restore_database(url, backup).summary.instances == 0


def test_postgresql_restore_refuses_garbage_an_sqlite_file_and_a_damaged_dump_and_changes_nothing(
    pg_databases: PgDatabases, tmp_path: Path
) -> None:
    good = tmp_path / "good.dump"
    with service_on(pg_databases.a, FakeClock()) as rt:
        request_with_offerte(rt)
        backup_database(pg_databases.a, good)
        request_with_offerte(rt)
        before = rows(rt)
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(GARBAGE)
    sqlite_file = tmp_path / "sto.sqlite"
    with sqlite3.connect(sqlite_file) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])

    refusals = [
        (garbage, "is not a backup of STO Flow"),
        (sqlite_file, "is a SQLite backup, but the configured database is PostgreSQL"),
        (truncated, "pg_restore failed"),
    ]
    for bad, reason in refusals:
        with pytest.raises(BackupError) as refused:
            restore_database(pg_databases.a, bad)
        assert reason in str(refused.value), bad
        assert pg_databases.password not in str(refused.value)

    with service_on(pg_databases.a, FakeClock(), seed=False) as rt:
        assert rows(rt) == before


def test_postgresql_restore_is_refused_while_another_connection_is_open(
    pg_databases: PgDatabases, tmp_path: Path
) -> None:
    backup = tmp_path / "sto.dump"
    with service_on(pg_databases.a, FakeClock()) as running:
        backup_database(pg_databases.a, backup)
        request_with_offerte(running)
        before = rows(running)

        with pytest.raises(BackupError) as refused:
            restore_database(pg_databases.a, backup)

        assert "other connection(s) to the database are open" in str(refused.value)
        assert rows(running) == before


def test_a_backup_from_a_newer_version_is_refused_and_one_from_an_older_version_restores_with_a_note(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'sto.sqlite'}"
    backup = tmp_path / "sto.backup"
    with service_on(url, FakeClock()) as rt:
        request_with_offerte(rt)
        backup_database(url, backup)
        before = rows(rt)

    def with_revision(revision: str) -> Path:
        changed = tmp_path / f"revision-{revision}.backup"
        changed.write_bytes(backup.read_bytes())
        with sqlite3.connect(changed) as connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        connection.close()
        return changed

    with pytest.raises(BackupError) as refused:
        restore_database(url, with_revision("0099_from_the_future"))
    assert "schema revision 0099_from_the_future is unknown to this version" in str(refused.value)
    with service_on(url, FakeClock(), seed=False) as rt:
        assert rows(rt) == before

    older = restore_database(url, with_revision("0013"))
    assert older.summary.revision == "0013" and older.summary.instances == 1
    assert older.note is not None and "older than this code's" in older.note and "setup" in older.note
