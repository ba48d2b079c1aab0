"""What `sto-flow serve` checks before it starts anything, each with a message an operator can act on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..settings import Settings


class NotServable(Exception):
    """The service cannot be served with these settings; the message says what to change."""


def check_database(settings: Settings) -> None:
    """PostgreSQL in production, reachable, and migrated to the newest schema."""
    try:
        url = make_url(settings.database_url)
    except ArgumentError as err:
        raise NotServable(f"STO_DATABASE_URL is not a database URL: {err}") from err
    if url.get_backend_name() == "sqlite" and settings.is_production:
        raise NotServable(
            "STO Flow does not serve production from SQLite: several web workers and schedulers write at the same "
            "time, which SQLite is not made for. Set STO_DATABASE_URL to a PostgreSQL database, for example "
            "postgresql+psycopg://user:password@host/sto_flow, and run `sto-flow migrate`."
        )
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        # Connecting would create an empty file; say what to run instead.
        raise NotServable(
            f"There is no database at {url.database}: run `sto-flow setup` (or `sto-flow migrate`) first."
        )
    missing = _missing_migrations(settings.database_url)
    if missing:
        raise NotServable(
            f"The database is not up to date (newest schema {', '.join(missing)} not applied): run `sto-flow migrate` "
            "(or `sto-flow setup`) first."
        )


def _missing_migrations(database_url: str) -> list[str]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from ..migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as err:
        # The URL may hold a password: name the server, never the whole URL.
        where = make_url(database_url).render_as_string(hide_password=True)
        reason = getattr(err, "orig", None) or err
        raise NotServable(f"Cannot reach the database {where}: {reason}") from err
    finally:
        engine.dispose()
    return sorted(heads - current)
