"""What a backup file is: told apart by its first bytes (SQLite's and pg_dump's own magic), never by its name."""

from __future__ import annotations

import enum
import os
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


class Kind(enum.Enum):
    SQLITE = "SQLite"
    POSTGRESQL = "PostgreSQL (pg_dump custom format)"


def kind_of(path: Path) -> Kind:
    """The kind of backup file at `path`; BackupError when it is missing or not a backup at all."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except OSError as err:
        raise BackupError(f"{path}: cannot be read ({err.strerror})") from None
    if head.startswith(SQLITE_MAGIC):
        return Kind.SQLITE
    if head.startswith(PG_DUMP_MAGIC):
        return Kind.POSTGRESQL
    raise BackupError(f"{path} is not a backup of STO Flow: it is neither an SQLite database nor a pg_dump archive")


def require_kind(path: Path, expected: Kind) -> None:
    """Refuse a backup of the other kind than the configured database, before anything is changed."""
    found = kind_of(path)
    if found is not expected:
        raise BackupError(
            f"{path} is a {found.value} backup, but the configured database is {expected.value.split(' ')[0]}: "
            "restore it into a database of the same kind"
        )


def temp_path_beside(target: Path, purpose: str) -> Path:
    """A fresh name in the target's own directory, so the final rename stays on one file system (atomic)."""
    return target.with_name(f".{target.name}.{purpose}-{os.getpid()}.tmp")


def fsync_and_rename(temp: Path, target: Path) -> None:
    """Make `temp` durable, then put it in place of `target` in one step."""
    with temp.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(temp, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
