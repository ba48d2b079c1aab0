"""What a running web app holds: settings, database, forms and the clock. Reached through `runtime()`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.orm import Session

from ..db import Database
from ..domain.forms import FormLibrary
from ..settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    forms: FormLibrary
    clock: Callable[[], datetime] = field(default=utc_now)

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Session]:
        with self.db.transaction(write=write) as session:
            yield session


def runtime() -> Runtime:
    """The runtime of the current app."""
    return current_app.extensions["sto"]
