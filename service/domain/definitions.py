"""Deploy process definitions from bpmn/ and find the version an instance runs on.

A BPMN file is deployed together with every DMN file (decisions are found by id). A new version is only made
when the content changed; running instances stay on the version they started with.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from .. import engine
from ..models import ProcessDefinition
from .errors import NotFound


def deploy_directory(session: Session, *, bpmn_dir: Path, now: datetime, deployed_by: str) -> list[ProcessDefinition]:
    """Deploy every BPMN file in a directory whose content changed; return the new versions."""
    dmn_files = {p.name: p.read_text(encoding="utf-8") for p in sorted(bpmn_dir.glob("*.dmn"))}
    deployed = []
    for path in sorted(bpmn_dir.glob("*.bpmn")):
        files = {path.name: path.read_text(encoding="utf-8"), **dmn_files}
        definition = deploy_files(session, process_key=path.stem, files=files, now=now, deployed_by=deployed_by)
        if definition is not None:
            deployed.append(definition)
    return deployed


def deploy_files(
    session: Session, *, process_key: str, files: dict[str, str], now: datetime, deployed_by: str
) -> ProcessDefinition | None:
    """Deploy one process from its files; None when the newest version already has this content.

    Raises engine.DiagramError when the files do not parse or break the sandbox rules.
    """
    digest = _sha256(files)
    latest = find_latest_definition(session, process_key)
    if latest is not None and latest.sha256 == digest:
        return None
    processes = engine.spec_cache.get(digest, lambda: _encoded(files))
    if process_key not in processes:
        raise engine.DiagramError(f"het bestand bevat geen uitvoerbaar proces met id '{process_key}'")
    next_version = (
        session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.process_key == process_key))
        or 0
    ) + 1
    definition = ProcessDefinition(
        process_key=process_key,
        version=next_version,
        name=processes[process_key].name,
        sha256=digest,
        files=files,
        deployed_by=deployed_by,
        deployed_at=now,
    )
    session.add(definition)
    session.flush()
    return definition


def find_latest_definition(session: Session, process_key: str) -> ProcessDefinition | None:
    """The newest deployed version of a process, if any."""
    return session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_key == process_key)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )


def get_latest_definition(session: Session, process_key: str) -> ProcessDefinition:
    """The newest deployed version of a process, or NotFound."""
    definition = find_latest_definition(session, process_key)
    if definition is None:
        raise NotFound("Dit proces bestaat niet.")
    return definition


def list_latest_definitions(session: Session) -> list[ProcessDefinition]:
    """The newest version of every deployed process, by name."""
    newest = (
        select(ProcessDefinition.process_key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.process_key)
        .subquery()
    )
    query = select(ProcessDefinition).join(
        newest,
        (ProcessDefinition.process_key == newest.c.process_key) & (ProcessDefinition.version == newest.c.version),
    )
    return sorted(session.scalars(query), key=lambda d: d.name)


def may_start_any(session: Session, roles: dict[str, set[str]]) -> bool:
    """True when the roles (per region) may start at least one deployed process somewhere, by the rule of
    start_instance: a process's start roles, or anyone in the region when it names none."""
    if not roles:
        return False
    newest = (
        select(ProcessDefinition.process_key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.process_key)
        .subquery()
    )
    # The XML is only read when the parsed spec is not cached yet (the files column is deferred).
    query = (
        select(ProcessDefinition)
        .join(
            newest,
            (ProcessDefinition.process_key == newest.c.process_key) & (ProcessDefinition.version == newest.c.version),
        )
        .options(load_only(ProcessDefinition.id, ProcessDefinition.process_key, ProcessDefinition.sha256))
    )
    for definition in session.scalars(query):
        starters = set(parsed_process(definition).start_roles)
        if not starters or any(held & starters for held in roles.values()):
            return True
    return False


def slice_latest_definitions(session: Session, *, limit: int, offset: int) -> tuple[list[ProcessDefinition], int]:
    """At most `limit` of the newest versions by name, from `offset`, and how many processes there are in all."""
    newest = (
        select(ProcessDefinition.process_key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.process_key)
        .subquery()
    )
    total = session.scalar(select(func.count()).select_from(newest)) or 0
    query = (
        select(ProcessDefinition)
        .join(
            newest,
            (ProcessDefinition.process_key == newest.c.process_key) & (ProcessDefinition.version == newest.c.version),
        )
        .order_by(ProcessDefinition.name, ProcessDefinition.process_key)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query)), total


def parsed_process(definition: ProcessDefinition) -> engine.ParsedProcess:
    """The executable spec of a definition version (parsed once per process, then cached)."""
    return engine.spec_cache.get(definition.sha256, lambda: _encoded(definition.files))[definition.process_key]


def _encoded(files: dict[str, str]) -> dict[str, bytes]:
    return {name: content.encode("utf-8") for name, content in files.items()}


def _sha256(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name, content in sorted(files.items()):
        digest.update(name.encode() + b"\0" + content.encode("utf-8") + b"\0")
    return digest.hexdigest()
