"""Deploy processes: from the bpmn/ folder at setup, and from people (the editor, the API), always as a new
version after every check passed; nothing is deployed when any file is refused. Rolling back deploys an earlier
version's files again as a new version."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ProcessDefinition, Region, User
from ..audit import record_event
from ..errors import InvalidInput, NotFound
from . import bundles, checks
from .owners import require_process_owner
from .versions import find_current_definition, find_own_version, store_version

log = logging.getLogger(__name__)
SOURCES = ("bestanden", "editor", "api", "terugzetten")


class DeployRefused(InvalidInput):
    """The files were not deployed; `problems` names each file and element, and why."""

    def __init__(self, problems: list[checks.Problem]) -> None:
        refused = checks.refusals(problems)
        super().__init__(f"Niet in gebruik genomen: {len(refused)} probleem/problemen gevonden.")
        self.problems = problems


@dataclass
class DeployResult:
    """The new versions, the processes whose files did not change, and warnings that did not stop the deploy."""

    created: list[ProcessDefinition] = field(default_factory=list)
    unchanged: list[ProcessDefinition] = field(default_factory=list)
    warnings: list[checks.Problem] = field(default_factory=list)


def deploy_directory(
    session: Session, *, bpmn_dir: Path, forms_dir: Path | None = None, now: datetime, deployed_by: str
) -> list[ProcessDefinition]:
    """Deploy every shipped process whose files changed since they were last deployed from the folders.

    A process whose newest shared version a process owner deployed after the shipped one is left alone (logged):
    setup never overrides what a person decided; they can take the shipped files over in the editor.
    """
    forms_dir = forms_dir or bpmn_dir.parent / "forms"
    pool = {p.name: p.read_text(encoding="utf-8") for p in sorted(bpmn_dir.glob("*.dmn"))}
    pool.update({p.name: p.read_text(encoding="utf-8") for p in sorted(forms_dir.glob("*.json"))})
    deployed = []
    for path in sorted(bpmn_dir.glob("*.bpmn")):
        files = bundles.bundle(path.name, {**pool, path.name: path.read_text(encoding="utf-8")})
        key = path.stem
        current = find_own_version(session, key, None)
        if current is not None and current.source != "bestanden":
            shipped = _newest_from_files(session, key)
            if shipped is None or shipped.files != files:
                log.warning(
                    "setup: %s not deployed from bpmn/: a process owner deployed version %s", key, current.version
                )
            continue
        definition = store_version(session, process_key=key, files=files, now=now, deployed_by=deployed_by)
        if definition is not None:
            deployed.append(definition)
    return deployed


def _newest_from_files(session: Session, process_key: str) -> ProcessDefinition | None:
    return session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_key == process_key, ProcessDefinition.source == "bestanden")
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )


def deploy_files(
    session: Session, *, process_key: str, files: dict[str, str], now: datetime, deployed_by: str
) -> ProcessDefinition | None:
    """Store one process's files as a new shared version with the engine's checks only (setup and tests)."""
    return store_version(session, process_key=process_key, files=files, now=now, deployed_by=deployed_by)


def plan_versions(
    session: Session, files: dict[str, str], region_code: str | None
) -> tuple[dict[str, dict[str, str]], list[checks.Problem]]:
    """The new files of every process an upload changes, and the uploaded files no process uses.

    A BPMN file is a process (new or changed). A DMN file or form on its own changes every process whose current
    version has a file of that name: changing a threshold needs only the decision table.
    """
    plans: dict[str, dict[str, str]] = {}
    used: set[str] = set()
    problems: list[checks.Problem] = []
    for bpmn_name in bundles.bpmn_names(files):
        key = bundles.process_key_of(bpmn_name)
        current = find_current_definition(session, key, region_code)
        if current is None and region_code is not None:
            problems.append(
                checks.Problem(bpmn_name, None, "Een nieuw proces kan alleen voor alle regio's worden toegevoegd.")
            )
            continue
        pool = {**(current.files if current else {}), **files}
        plans[key] = bundles.bundle(bpmn_name, pool, keep=set(files) & set(current.files if current else ()))
        used |= set(plans[key])
    loose = sorted(set(files) - set(bundles.bpmn_names(files)) - used)
    if loose:
        for key, current in _current_versions(session, region_code).items():
            if key in plans or not set(loose) & set(current.files):
                continue
            pool = {**current.files, **files}
            plans[key] = bundles.bundle(f"{key}.bpmn", pool, keep=set(loose) & set(current.files))
            used |= set(plans[key])
    for name in sorted(set(files) - used):
        problems.append(checks.Problem(name, None, "Geen enkel proces gebruikt dit bestand."))
    return plans, problems


def _current_versions(session: Session, region_code: str | None) -> dict[str, ProcessDefinition]:
    keys = session.scalars(select(ProcessDefinition.process_key).distinct())
    found = {key: find_current_definition(session, key, region_code) for key in keys}
    return {key: d for key, d in sorted(found.items()) if d is not None}


def check_upload(
    session: Session,
    *,
    files: dict[str, str],
    region_code: str | None,
    lint: checks.Linter | None,
    process_key: str | None = None,
) -> tuple[dict[str, dict[str, str]], list[checks.Problem]]:
    """What a deploy of these files would make, and every problem it has (nothing is stored). With `process_key`
    (a draft of one process) only that process changes, whatever other process shares a file with it."""
    problems = checks.check_names(files)
    if problems:
        return {}, problems
    if process_key is not None:
        bpmn_name = f"{process_key}.bpmn"
        plans = {process_key: bundles.bundle(bpmn_name, files)} if bpmn_name in files else {}
        problems = [] if plans else [checks.Problem(bpmn_name, None, "Het BPMN-bestand van dit proces ontbreekt.")]
    else:
        plans, problems = plan_versions(session, files, region_code)
    for key, bundle in plans.items():
        problems += checks.check_version(bundle, process_key=key, lint=lint)
    return plans, problems


def deploy(
    session: Session,
    *,
    user: User,
    files: dict[str, str],
    region_code: str | None,
    note: str,
    now: datetime,
    source: str,
    lint: checks.Linter | None,
    restored_from: int | None = None,
    process_key: str | None = None,
) -> DeployResult:
    """Check and deploy uploaded files as new versions (shared, or a region's variant); DeployRefused with every
    problem when any file is refused, and then nothing is stored."""
    require_process_owner(user, region_code)
    if region_code is not None and session.get(Region, region_code) is None:
        raise NotFound("Deze regio bestaat niet.")
    if not isinstance(note, str) or len(note) > 2000:
        raise InvalidInput("De toelichting is te lang.", {"note": "Hoogstens 2000 tekens."})
    plans, problems = check_upload(session, files=files, region_code=region_code, lint=lint, process_key=process_key)
    if checks.refusals(problems) or not plans:
        raise DeployRefused(problems or [checks.Problem(None, None, "Er is niets om in gebruik te nemen.")])
    result = DeployResult(warnings=problems)
    for key, bundle in sorted(plans.items()):
        definition = store_version(
            session,
            process_key=key,
            files=bundle,
            now=now,
            deployed_by=user.email,
            region_code=region_code,
            source=source,
            note=note.strip(),
            restored_from=restored_from,
        )
        if definition is None:
            unchanged = find_own_version(session, key, region_code)
            assert unchanged is not None  # store_version only declines when it has this content
            result.unchanged.append(unchanged)
            continue
        result.created.append(definition)
        record_event(
            session,
            action="definition_deployed",
            summary=f"{definition.name} versie {definition.version} in gebruik genomen"
            + (f" voor regio {region_code}" if region_code else ""),
            now=now,
            actor=user,
            region_code=region_code,
            details={"process_key": key, "version": definition.version, "source": source, "note": note.strip()},
        )
    return result


def roll_back(
    session: Session, *, user: User, definition_id: int, note: str, now: datetime, lint: checks.Linter | None
) -> ProcessDefinition:
    """Deploy an earlier version's files again, as a new version of the same scope (its checks run again)."""
    earlier = session.get(ProcessDefinition, definition_id)
    if earlier is None:
        raise NotFound("Deze versie bestaat niet.")
    require_process_owner(user, earlier.region_code)
    result = deploy(
        session,
        user=user,
        files=dict(earlier.files),
        region_code=earlier.region_code,
        note=note or f"Terug naar versie {earlier.version}",
        now=now,
        source="terugzetten",
        lint=lint,
        restored_from=earlier.version,
        process_key=earlier.process_key,
    )
    if not result.created:
        raise InvalidInput(f"Versie {earlier.version} is al de versie die nu in gebruik is.")
    return result.created[0]
