"""What process owners see of the deployed processes: every process with its versions (who deployed what, when
and why, and how many requests still run on each), and each version's files."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import ProcessDefinition, ProcessInstance, User
from ..errors import NotAllowed, NotFound
from .owners import is_process_owner, owned_regions, owns_every_region


@dataclass(frozen=True)
class VersionRow:
    """One deployed version and how many of its instances are still running."""

    definition: ProcessDefinition
    running: int


@dataclass
class CatalogueEntry:
    """One process: its current shared version, the variants of regions, and all versions newest first."""

    process_key: str
    name: str
    current: ProcessDefinition | None
    versions: list[VersionRow] = field(default_factory=list)
    variants: dict[str, ProcessDefinition] = field(default_factory=dict)  # region -> its current variant


def _require_owner(user: User) -> None:
    if not is_process_owner(user):
        raise NotAllowed("Alleen procesbeheerders kunnen processen beheren.")


def _visible(user: User, definition: ProcessDefinition) -> bool:
    if definition.region_code is None or owns_every_region(user):
        return True
    return definition.region_code in owned_regions(user)


def list_catalogue(session: Session, *, user: User) -> list[CatalogueEntry]:
    """Every process with the versions the user may see (shared ones, and their regions' variants), by name."""
    _require_owner(user)
    running = dict(
        session.execute(
            select(ProcessInstance.definition_id, func.count())
            .where(ProcessInstance.status == "running")
            .group_by(ProcessInstance.definition_id)
        ).all()
    )
    entries: dict[str, CatalogueEntry] = {}
    query = select(ProcessDefinition).order_by(ProcessDefinition.process_key, ProcessDefinition.version.desc())
    for definition in session.scalars(query):
        if not _visible(user, definition):
            continue
        entry = entries.setdefault(
            definition.process_key, CatalogueEntry(definition.process_key, definition.name, None)
        )
        entry.versions.append(VersionRow(definition, running.get(definition.id, 0)))
        if definition.region_code is None and entry.current is None:
            entry.current = definition
            entry.name = definition.name
        elif definition.region_code is not None:
            entry.variants.setdefault(definition.region_code, definition)
    return sorted(entries.values(), key=lambda e: e.name.lower())


def get_catalogue_entry(session: Session, *, user: User, process_key: str) -> CatalogueEntry:
    """One process as list_catalogue shows it; NotFound when it does not exist (or none of it is visible)."""
    for entry in list_catalogue(session, user=user):
        if entry.process_key == process_key:
            return entry
    raise NotFound("Dit proces bestaat niet.")


def get_version(session: Session, *, user: User, process_key: str, version: int) -> ProcessDefinition:
    """One version of a process that the user may see."""
    _require_owner(user)
    definition = session.scalar(
        select(ProcessDefinition).where(
            ProcessDefinition.process_key == process_key, ProcessDefinition.version == version
        )
    )
    if definition is None or not _visible(user, definition):
        raise NotFound("Deze versie bestaat niet.")
    return definition


def get_version_file(session: Session, *, user: User, process_key: str, version: int, name: str) -> str:
    """The text of one file of a version."""
    files = get_version(session, user=user, process_key=process_key, version=version).files
    if name not in files:
        raise NotFound("Dit bestand hoort niet bij deze versie.")
    return files[name]


def previous_version(session: Session, *, user: User, definition: ProcessDefinition) -> ProcessDefinition | None:
    """The version of the same scope (shared, or the same region's variant) deployed just before; for a region's
    first variant, the shared version it was made from."""
    _require_owner(user)
    query = select(ProcessDefinition).where(
        ProcessDefinition.process_key == definition.process_key, ProcessDefinition.version < definition.version
    )
    same_scope = (
        ProcessDefinition.region_code.is_(None)
        if definition.region_code is None
        else ProcessDefinition.region_code == definition.region_code
    )
    earlier = session.scalar(query.where(same_scope).order_by(ProcessDefinition.version.desc()).limit(1))
    if earlier is None and definition.region_code is not None:
        shared = ProcessDefinition.region_code.is_(None)
        earlier = session.scalar(query.where(shared).order_by(ProcessDefinition.version.desc()).limit(1))
    return earlier
