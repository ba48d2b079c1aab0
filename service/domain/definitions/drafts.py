"""Drafts: a process owner's unfinished edit of one process (shared, or a region's variant). Saving a draft runs
nothing; deploying it runs every check and makes a new version. Two people saving the same draft: the second is
told someone saved in between (the draft's version column), and nothing of theirs is lost: the page keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import DefinitionDraft, ProcessDefinition, User
from ..errors import Conflict, InvalidInput, NotFound
from . import checks
from .deploys import DeployResult, check_upload, deploy
from .owners import is_process_owner, may_edit, require_process_owner
from .versions import find_current_definition


@dataclass(frozen=True)
class DraftView:
    """What the editor opens: the draft's files (or the current version's, when there is no draft yet)."""

    process_key: str
    region_code: str | None
    files: dict[str, str]
    base: ProcessDefinition | None  # the version the draft started from
    current: ProcessDefinition  # the version the scope's new instances use now
    saved: DefinitionDraft | None  # None: nothing saved yet, the files are the current version's

    @property
    def revision(self) -> int:
        """What a save must send back, so a save over someone else's is refused (0: no draft yet)."""
        return self.saved.version if self.saved else 0


def _find(session: Session, process_key: str, region_code: str | None) -> DefinitionDraft | None:
    return session.scalar(
        select(DefinitionDraft).where(
            DefinitionDraft.process_key == process_key, DefinitionDraft.region_key == (region_code or "")
        )
    )


def open_draft(session: Session, *, user: User, process_key: str, region_code: str | None) -> DraftView:
    """The draft of a process for a scope, or the current version's files to start one from."""
    require_process_owner(user, region_code)
    current = find_current_definition(session, process_key, region_code)
    if current is None:
        raise NotFound("Dit proces bestaat niet.")
    saved = _find(session, process_key, region_code)
    if saved is None:
        return DraftView(process_key, region_code, dict(current.files), current, current, None)
    base = session.get(ProcessDefinition, saved.base_definition_id) if saved.base_definition_id else None
    return DraftView(process_key, region_code, dict(saved.files), base, current, saved)


def save_draft(
    session: Session,
    *,
    user: User,
    process_key: str,
    region_code: str | None,
    files: dict[str, str],
    revision: int,
    now: datetime,
) -> DraftView:
    """Save the editor's files as the draft; Conflict when someone saved it after `revision` was read."""
    view = open_draft(session, user=user, process_key=process_key, region_code=region_code)
    problems = checks.check_names(files)
    if problems:
        raise InvalidInput(problems[0].message, {p.file or "files": p.message for p in problems})
    if f"{process_key}.bpmn" not in files:
        raise InvalidInput("Het BPMN-bestand van dit proces ontbreekt in het concept.")
    if view.revision != revision:
        raise Conflict(
            f"{view.saved.updated_by.name if view.saved else 'Iemand'} heeft dit concept intussen opgeslagen. "
            "Uw wijzigingen staan nog op deze pagina: kopieer wat u wilt houden en laad het concept opnieuw."
        )
    draft = view.saved or DefinitionDraft(
        process_key=process_key, region_key=region_code or "", base_definition_id=view.current.id
    )
    draft.files = dict(files)
    draft.updated_by_id = user.id
    draft.updated_at = now
    session.add(draft)
    session.flush()  # the version column moves on (optimistic lock: a concurrent save fails here)
    return open_draft(session, user=user, process_key=process_key, region_code=region_code)


def discard_draft(session: Session, *, user: User, process_key: str, region_code: str | None) -> None:
    """Throw the draft away; the current version stays as it is."""
    require_process_owner(user, region_code)
    draft = _find(session, process_key, region_code)
    if draft is not None:
        session.delete(draft)


def deploy_draft(
    session: Session,
    *,
    user: User,
    process_key: str,
    region_code: str | None,
    revision: int,
    note: str,
    now: datetime,
    lint: checks.Linter | None,
) -> DeployResult:
    """Deploy the saved draft as a new version and remove it; DeployRefused (nothing changes) when it fails a check."""
    view = open_draft(session, user=user, process_key=process_key, region_code=region_code)
    if view.saved is None:
        raise InvalidInput("Er is geen opgeslagen concept om in gebruik te nemen.")
    if view.revision != revision:
        raise Conflict("Iemand heeft dit concept intussen opnieuw opgeslagen. Laad de pagina opnieuw.")
    result = deploy(
        session,
        user=user,
        files=view.files,
        region_code=region_code,
        note=note,
        now=now,
        source="editor",
        lint=lint,
        process_key=process_key,
    )
    session.delete(view.saved)
    return result


def check_draft(
    session: Session, *, user: User, process_key: str, region_code: str | None, lint: checks.Linter | None
) -> list[checks.Problem]:
    """Every problem a deploy of the saved draft (or the current version) would report, without deploying."""
    view = open_draft(session, user=user, process_key=process_key, region_code=region_code)
    _plans, problems = check_upload(
        session, files=view.files, region_code=region_code, lint=lint, process_key=process_key
    )
    return problems


def list_drafts(session: Session, *, user: User) -> list[DefinitionDraft]:
    """The drafts the user may open (shared ones only for a process owner of every region), newest first."""
    if not is_process_owner(user):
        return []
    found = session.scalars(select(DefinitionDraft).order_by(DefinitionDraft.updated_at.desc()))
    return [d for d in found if may_edit(user, d.region_key or None)]


def check_files(
    session: Session,
    *,
    user: User,
    process_key: str,
    region_code: str | None,
    files: dict[str, str],
    lint: checks.Linter | None,
) -> list[checks.Problem]:
    """Every problem a deploy of these (unsaved) editor files would report; nothing is stored."""
    require_process_owner(user, region_code)
    _plans, problems = check_upload(session, files=files, region_code=region_code, lint=lint, process_key=process_key)
    return problems
