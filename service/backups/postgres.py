"""Backup and restore of a PostgreSQL database with pg_dump (custom format) and pg_restore. The dump reads the
snapshot in which the summary was counted, so the two agree; a restore runs in one transaction, so a failure
leaves the database as it was."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from . import pg_tools
from .files import BackupError, Kind, fsync_and_rename, kind_of, require_kind, temp_path_beside
from .summary import Summary, check_revision, count


def backup(database_url: str, target: Path, *, bin_dir: Path | None) -> Summary:
    """Dump the database into `target` (custom format), checked with pg_restore --list before it is put in place."""
    where = pg_tools.connection(database_url)
    temp = temp_path_beside(target, "backup")
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # pg_dump joins this transaction's snapshot: it dumps exactly what was counted here.
                snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
                summary = count(connection)
                pg_tools.run(
                    "pg_dump",
                    ["--format=custom", f"--snapshot={snapshot}", f"--file={temp}", *where.arguments],
                    where,
                    bin_dir=bin_dir,
                )
        if kind_of(temp) is not Kind.POSTGRESQL:
            raise BackupError("pg_dump wrote something else than a custom-format archive")
        pg_tools.run("pg_restore", ["--list", str(temp)], where, bin_dir=bin_dir)
        fsync_and_rename(temp, target)
        return summary
    except Exception as err:
        if isinstance(err, BackupError):
            raise
        raise BackupError(pg_tools.hide(f"the backup failed: {err}", where.password)) from None
    finally:
        engine.dispose()
        temp.unlink(missing_ok=True)


def restore(database_url: str, source: Path, *, bin_dir: Path | None, force: bool) -> tuple[Summary, str | None]:
    """Replace the database's content with the archive at `source`; returns the restored summary and a note."""
    require_kind(source, Kind.POSTGRESQL)
    where = pg_tools.connection(database_url)
    # Read the archive's table of contents and schema revision first: a damaged file stops here, unchanged.
    pg_tools.run("pg_restore", ["--list", str(source)], where, bin_dir=bin_dir)
    revision_sql = pg_tools.run(
        "pg_restore", ["--data-only", "--table=alembic_version", "--file=-", str(source)], where, bin_dir=bin_dir
    )
    note = check_revision(_revision_in(revision_sql), database_url)
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        if not force:
            _refuse_when_others_connected(engine)
        options = ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
        pg_tools.run("pg_restore", [*options, *where.arguments, str(source)], where, bin_dir=bin_dir)
        with engine.connect() as connection:
            return count(connection), note
    except BackupError:
        raise
    except Exception as err:
        raise BackupError(pg_tools.hide(f"the restore failed: {err}", where.password)) from None
    finally:
        engine.dispose()


def _revision_in(sql: str) -> str | None:
    """The row of alembic_version in pg_restore's plain-SQL output (COPY ... FROM stdin; rows; \\.)."""
    match = re.search(r"COPY [^\n]*alembic_version[^\n]*FROM stdin;\n([^\n\\]+)\n", sql)
    return match.group(1).strip() if match else None


def _refuse_when_others_connected(engine: Engine) -> None:
    """A running web server or scheduler would keep working on the old rows, or hold locks the restore waits on."""
    with engine.connect() as connection:
        others = connection.execute(
            text(
                "SELECT coalesce(nullif(application_name, ''), '?'), coalesce(client_addr::text, 'local') "
                "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            )
        ).all()
    if others:
        who = ", ".join(sorted({f"{name} from {address}" for name, address in others}))
        raise BackupError(
            f"{len(others)} other connection(s) to the database are open ({who}): stop the service (web server "
            "and scheduler) before restoring, or pass --force if you know they are idle"
        )
