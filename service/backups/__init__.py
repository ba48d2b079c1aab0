"""Backups of the whole service: one file holding the database, which also holds the attachments' bytes.
SQLite is copied with its online backup API, PostgreSQL with pg_dump; restore checks a file before it replaces
anything. Used by `flask --app service backup FILE` and `restore FILE`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import postgres, sqlite_files
from .files import BackupError, Kind, kind_of
from .summary import Summary

__all__ = [
    "BackupError",
    "Kind",
    "Restored",
    "Summary",
    "backup_database",
    "database_kind",
    "kind_of",
    "restore_database",
]


@dataclass(frozen=True)
class Restored:
    summary: Summary
    note: str | None  # e.g. the backup's schema is older and needs `setup` to migrate it


def database_kind(database_url: str) -> Kind:
    """Which kind of backup the configured database makes."""
    if database_url.startswith("sqlite"):
        return Kind.SQLITE
    if database_url.startswith("postgresql"):
        return Kind.POSTGRESQL
    raise BackupError(f"backups support SQLite and PostgreSQL, not {database_url.split(':', 1)[0]}")


def backup_database(database_url: str, target: Path, *, pg_bin_dir: Path | None = None) -> Summary:
    """Write a consistent backup of the database to `target` (replaced only once the new backup checks out)."""
    if target.is_dir():
        raise BackupError(f"{target} is a directory: name the backup file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} does not exist")
    if database_kind(database_url) is Kind.SQLITE:
        return sqlite_files.backup(database_url, target)
    return postgres.backup(database_url, target, bin_dir=pg_bin_dir)


def restore_database(
    database_url: str, source: Path, *, pg_bin_dir: Path | None = None, force: bool = False
) -> Restored:
    """Replace the database with the backup at `source`; the service must be stopped."""
    if database_kind(database_url) is Kind.SQLITE:
        summary, note = sqlite_files.restore(database_url, source)
    else:
        summary, note = postgres.restore(database_url, source, bin_dir=pg_bin_dir, force=force)
    return Restored(summary, note)
