"""Bring a database to the newest schema with Alembic (used by `make run`, the CLI and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from .settings import project_path


def alembic_config(database_url: str) -> Config:
    """An Alembic config for this project pointed at `database_url`."""
    config = Config(str(project_path("alembic.ini")))
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str) -> None:
    """Apply every migration that is not yet applied."""
    command.upgrade(alembic_config(database_url), "head")
