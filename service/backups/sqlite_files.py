"""Backup and restore of an SQLite database file. The backup uses SQLite's online backup API, which copies one
consistent snapshot while the service keeps writing; a restore is checked in a copy beside the database and then
renamed over it, and only when no process has the database open."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from .files import BackupError, Kind, fsync_and_rename, require_kind, temp_path_beside
from .summary import Summary, check_revision, count

BUSY_MS = 15_000  # how long the copy waits for a writer's commit, as the service's own connections do


def database_path(database_url: str) -> Path:
    """The file behind an sqlite:/// URL (a database only in memory cannot be backed up)."""
    path = database_url.split("///", 1)[-1].split("?", 1)[0]
    if not path or path == ":memory:":
        raise BackupError("the configured SQLite database lives only in memory: there is nothing to back up")
    return Path(path)


def backup(database_url: str, target: Path) -> Summary:
    """Copy the live database into `target` as one self-contained file, checked before it is put in place."""
    source_path = database_path(database_url)
    if not source_path.exists():
        raise BackupError(f"the database {source_path} does not exist")
    temp = temp_path_beside(target, "backup")
    try:
        with _connect(source_path) as source, _connect(temp) as copy:
            # pages=-1: the whole database in one step, under one read snapshot; writers go on meanwhile (WAL).
            source.backup(copy, pages=-1)
            # A single file that needs no -wal beside it, whatever mode the service runs in.
            copy.execute("PRAGMA journal_mode=DELETE")
        summary = _check(temp, database_url, "the new backup")
        fsync_and_rename(temp, target)
        return summary
    except sqlite3.Error as err:
        raise BackupError(f"the database {source_path} could not be copied ({err})") from None
    except OSError as err:
        raise BackupError(f"the backup could not be written to {target} ({err.strerror})") from None
    finally:
        temp.unlink(missing_ok=True)


def restore(database_url: str, source: Path) -> tuple[Summary, str | None]:
    """Put the backup at `source` in place of the configured database; returns its summary and a schema note."""
    require_kind(source, Kind.SQLITE)
    target = database_path(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_beside(target, "restore")
    try:
        # Checked in a copy: the backup file itself is never opened for writing.
        shutil.copyfile(source, temp)
        with _connect(temp) as copy:
            copy.execute("PRAGMA journal_mode=DELETE")
        summary = _check(temp, database_url, str(source))
        note = check_revision(summary.revision, database_url)
        _refuse_when_open(target)
        fsync_and_rename(temp, target)
        # The old database's log and index would be read as if they belonged to the new file.
        for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        return summary, note
    except sqlite3.Error as err:
        raise BackupError(f"{source} cannot be read as an SQLite database ({err})") from None
    except OSError as err:
        raise BackupError(f"the database could not be replaced ({err.strerror}: {err.filename})") from None
    finally:
        temp.unlink(missing_ok=True)


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _check(path: Path, database_url: str, label: str) -> Summary:
    """The copy opens, passes SQLite's integrity check and is a database of this service."""
    with _connect(path) as connection:
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            has_schema = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        except sqlite3.DatabaseError as err:
            raise BackupError(f"{label} cannot be read as an SQLite database ({err})") from None
    if problems != ["ok"]:
        raise BackupError(f"{label} fails SQLite's integrity check: {'; '.join(problems[:3])}")
    if not has_schema:
        check_revision(None, database_url)
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return count(connection)
    finally:
        engine.dispose()


def _refuse_when_open(target: Path) -> None:
    """Refuse while any process (the web service, the scheduler) has the database open: it would go on
    writing into the replaced file. In WAL mode every open connection keeps an exclusive lock from being taken."""
    if not target.exists():
        return
    probe = sqlite3.connect(target, timeout=0, isolation_level=None)
    try:
        probe.execute("PRAGMA locking_mode=EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as err:
        if "locked" in str(err) or "busy" in str(err):
            raise BackupError(
                f"{target} is in use: stop the service (web server and scheduler) before restoring"
            ) from None
        # Any other failure means the current file is damaged: replacing it is what the restore is for.
    except sqlite3.DatabaseError:
        pass
    finally:
        probe.close()
