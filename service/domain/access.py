"""Who may see and do what: every check is made against the user's roles in the instance's own region."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import HumanTask, ProcessInstance, Region, User
from .accounts import roles_by_region
from .errors import NotAllowed, NotFound


def require_region_member(user: User, region_code: str) -> set[str]:
    """The user's roles in the region; NotFound when they hold none (so nothing leaks across regions)."""
    roles = roles_by_region(user).get(region_code)
    if not roles:
        raise NotFound("Niet gevonden.")
    return roles


def require_instance_visible(user: User, instance: ProcessInstance) -> None:
    """Members of the instance's region may see it."""
    require_region_member(user, instance.region_code)


def may_act_on(user: User, task: HumanTask, roles: set[str]) -> bool:
    """Whether the user may claim or complete the task (ignoring a claim by someone else)."""
    if task.candidate_user_id == user.id:
        return True  # meant for them (a task without a lane, or one offered to whoever started the request)
    return task.role is not None and task.role in roles


def require_may_act(user: User, task: HumanTask) -> None:
    """NotFound outside the region; NotAllowed for the wrong role or a task claimed by someone else."""
    roles = require_region_member(user, task.region_code)
    if not may_act_on(user, task, roles):
        raise NotAllowed(f"Deze taak is voor de rol {task.role or 'van de aanvrager'}; die heeft u niet in deze regio.")
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise NotAllowed("Iemand anders heeft deze taak al opgepakt.")


def visible_region(session: Session, *, user: User, region_code: str) -> Region:
    """A region whose pages (calendar, partner register) the user may read: any region for an administrator, else
    one where they hold a role; NotFound otherwise, so nothing leaks."""
    if not user.is_admin:
        require_region_member(user, region_code)
    region = session.get(Region, region_code)
    if region is None:
        raise NotFound("Niet gevonden.")
    return region


def visible_regions(session: Session, *, user: User) -> list[Region]:
    """The regions `visible_region` allows, by name."""
    query = select(Region).order_by(func.lower(Region.name))
    if not user.is_admin:
        query = query.where(Region.code.in_(sorted({m.region_code for m in user.memberships})))
    return list(session.scalars(query))
