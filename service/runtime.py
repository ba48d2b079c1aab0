"""What a running process holds: settings, database, forms and the clock. The web app and the scheduler each
build one at start-up and pass it down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from . import engine
from .db import Database
from .domain.definitions import Linter
from .domain.forms import FormLibrary
from .lint import LintProblem, LintUnavailable, lint_bpmn
from .settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


def bpmn_linter(node_modules: Path) -> Linter:
    """bpmnlint's recommended rules as deploys use them. When they cannot run (no node, packages missing), the
    deploy is refused and says so: a diagram is never deployed unchecked."""

    def lint(files: dict[str, str]) -> list[LintProblem]:
        try:
            return lint_bpmn(files, node_modules=node_modules)
        except LintUnavailable as err:
            first = next(iter(sorted(files)), "")
            why = f"De tekenregels (bpmnlint) konden niet worden gecontroleerd: {err}"
            return [LintProblem(file=first, element=None, rule="bpmnlint", message=why, category="error")]

    return lint


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
        return cls(
            settings=settings,
            db=Database(settings.database_url),
            forms=FormLibrary(settings.forms_dir),
            linter=bpmn_linter(settings.node_modules_dir),
        )

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Session]:
        with self.db.transaction(write=write) as session:
            yield session
