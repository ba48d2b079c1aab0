"""What a running process holds: settings, database, forms and the clock. The web app and the scheduler each
build one at start-up and pass it down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from . import engine
from .db import Database
from .domain.definitions import Linter
from .domain.forms import FormLibrary
from .settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    forms: FormLibrary
    clock: Callable[[], datetime] = field(default=utc_now)
    # bpmnlint's recommended rules, run on every diagram a person deploys (None: only the engine's own checks).
    linter: Linter | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        engine.configure(
            workers=settings.engine_workers,
            limits=engine.Limits(seconds=settings.script_seconds, memory_mb=settings.script_memory_mb),
        )
        return cls(settings=settings, db=Database(settings.database_url), forms=FormLibrary(settings.forms_dir))

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Session]:
        with self.db.transaction(write=write) as session:
            yield session
