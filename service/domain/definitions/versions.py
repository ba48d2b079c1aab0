"""Deployed versions of processes: store one, and find the version a region's new instances use.

A region's variant of a process (a version with `region_code`) replaces the shared one for that region's new
instances; every other region keeps the newest shared version. Running instances stay on the version they started.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, load_only

from ... import engine
from ...models import ProcessDefinition
from ..errors import NotFound


def store_version(
    session: Session,
    *,
    process_key: str,
    files: dict[str, str],
    now: datetime,
    deployed_by: str,
    region_code: str | None = None,
    source: str = "bestanden",
    note: str = "",
    restored_from: int | None = None,
) -> ProcessDefinition | None:
    """Store a new version of one process from its files; None when the current version (of the region's variant,
    or the shared one) already has exactly this content.

    Raises engine.DiagramError when the files do not parse or break the sandbox rules. The callers that people
    reach check far more first (deploys.py).
    """
    digest = files_digest(files)
    current = find_own_version(session, process_key, region_code)
    if current is not None and current.sha256 == digest:
        return None
    processes = engine.spec_cache.get(digest, lambda: encoded(files))
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
        region_code=region_code,
        source=source,
        note=note,
        restored_from=restored_from,
    )
    session.add(definition)
    session.flush()
    return definition


def find_own_version(session: Session, process_key: str, region_code: str | None) -> ProcessDefinition | None:
    """The newest shared version (region None) or the newest of one region's variant, without falling back."""
    where = (
        ProcessDefinition.region_code.is_(None) if region_code is None else ProcessDefinition.region_code == region_code
    )
    return session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_key == process_key, where)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )


def find_current_definition(
    session: Session, process_key: str, region_code: str | None = None
) -> ProcessDefinition | None:
    """The version a region's new instances use: its own variant when it has one, else the newest shared one."""
    if region_code is not None:
        variant = find_own_version(session, process_key, region_code)
        if variant is not None:
            return variant
    return find_own_version(session, process_key, None)


def get_current_definition(session: Session, process_key: str, region_code: str | None = None) -> ProcessDefinition:
    """The version a region's new instances use, or NotFound."""
    definition = find_current_definition(session, process_key, region_code)
    if definition is None:
        raise NotFound("Dit proces bestaat niet.")
    return definition


# The names the rest of the service has used since before region variants: the shared version.
def find_latest_definition(session: Session, process_key: str) -> ProcessDefinition | None:
    """The newest shared version of a process, if any."""
    return find_own_version(session, process_key, None)


def get_latest_definition(session: Session, process_key: str) -> ProcessDefinition:
    """The newest shared version of a process, or NotFound."""
    return get_current_definition(session, process_key, None)


def _newest_shared() -> Select:
    newest = (
        select(ProcessDefinition.process_key, func.max(ProcessDefinition.version).label("version"))
        .where(ProcessDefinition.region_code.is_(None))
        .group_by(ProcessDefinition.process_key)
        .subquery()
    )
    return select(ProcessDefinition).join(
        newest,
        (ProcessDefinition.process_key == newest.c.process_key) & (ProcessDefinition.version == newest.c.version),
    )


def list_latest_definitions(session: Session) -> list[ProcessDefinition]:
    """The newest shared version of every process, by name."""
    return sorted(session.scalars(_newest_shared()), key=lambda d: d.name)


def list_current_definitions(session: Session, region_code: str) -> list[ProcessDefinition]:
    """The version of every process that a region's new instances use, by name."""
    return [find_current_definition(session, d.process_key, region_code) or d for d in list_latest_definitions(session)]


def may_start_any(session: Session, roles: dict[str, set[str]]) -> bool:
    """True when the roles (per region) may start at least one deployed process somewhere, by the rule of
    start_instance: a process's start roles, or anyone in the region when it names none."""
    if not roles:
        return False
    # The XML is only read when the parsed spec is not cached yet (the files column is deferred).
    query = _newest_shared().options(
        load_only(ProcessDefinition.id, ProcessDefinition.process_key, ProcessDefinition.sha256)
    )
    for definition in session.scalars(query):
        starters = set(parsed_process(definition).start_roles)
        if not starters or any(held & starters for held in roles.values()):
            return True
    return False


def slice_latest_definitions(session: Session, *, limit: int, offset: int) -> tuple[list[ProcessDefinition], int]:
    """At most `limit` of the newest shared versions by name, from `offset`, and how many processes there are."""
    query = _newest_shared()
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(ProcessDefinition.name, ProcessDefinition.process_key).limit(limit).offset(offset)
    return list(session.scalars(page)), total


def parsed_process(definition: ProcessDefinition) -> engine.ParsedProcess:
    """The executable spec of a definition version (parsed once per process, then cached)."""
    return engine.spec_cache.get(definition.sha256, lambda: encoded(definition.files))[definition.process_key]


def encoded(files: dict[str, str]) -> dict[str, bytes]:
    """The files as the engine reads them."""
    return {name: content.encode("utf-8") for name, content in files.items()}


def files_digest(files: dict[str, str]) -> str:
    """The content hash that names a version's files (and keys the parsed-spec cache)."""
    digest = hashlib.sha256()
    for name, content in sorted(files.items()):
        digest.update(name.encode() + b"\0" + content.encode("utf-8") + b"\0")
    return digest.hexdigest()
