"""People and roles: what an administrator may do with users, their roles per region, and regions.
Every change is recorded in the audit trail; only `make_admin` (the command line) runs without an actor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import GRANTABLE_ROLES, HumanTask, Membership, Region, User
from . import password_links
from .accounts import create_user, create_user_without_password, has_password
from .audit import record_event, record_task_event
from .auth_sessions import end_all_sessions
from .deadlines import seed_calendar
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .passwords import password_problem
from .texts import N_

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REGION_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


def require_admin(actor: User) -> None:
    """Raise NotAllowed unless the actor is an administrator."""
    if not actor.is_admin:
        raise NotAllowed("Alleen beheerders kunnen mensen en rollen beheren.")


def list_users(session: Session, *, actor: User, search: str = "") -> list[User]:
    """Every user (optionally those whose name or email contains `search`), by name, with their roles."""
    require_admin(actor)
    query = select(User).options(selectinload(User.memberships)).order_by(func.lower(User.name), User.email)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    return list(session.scalars(query))


def get_user(session: Session, *, actor: User, user_id: int) -> User:
    """One user with their roles; NotFound when there is none."""
    require_admin(actor)
    user = session.get(User, user_id, options=[selectinload(User.memberships)])
    if user is None:
        raise NotFound("Deze gebruiker bestaat niet.")
    return user


def _changeable_user(session: Session, *, actor: User, user_id: int) -> User:
    # An anonymised person left for good: no roles, invitations or sign-in for the placeholder account.
    user = get_user(session, actor=actor, user_id=user_id)
    if user.anonymised_at is not None:
        raise NotAllowed(N_("Deze persoon is geanonimiseerd en kan niet meer worden gewijzigd."))
    return user


@dataclass(frozen=True)
class UserView:
    """A user with what the administrator can choose from: the regions and the roles."""

    user: User
    regions: list[Region]
    roles: tuple[str, ...] = GRANTABLE_ROLES

    @property
    def awaiting_password(self) -> bool:
        """Invited, but no password chosen yet: the account cannot sign in."""
        return not has_password(self.user)

    @property
    def region_choices(self) -> list[tuple[str, str]]:
        return [(region.code, region.name) for region in self.regions]

    @property
    def role_choices(self) -> list[tuple[str, str]]:
        return [(role, role) for role in self.roles]


def describe_user(session: Session, *, actor: User, user_id: int) -> UserView:
    """One user, their roles, and the regions and roles that can be granted."""
    return UserView(get_user(session, actor=actor, user_id=user_id), list_regions(session, actor=actor))


def list_regions(session: Session, *, actor: User) -> list[Region]:
    """Every region, by name."""
    require_admin(actor)
    return list(session.scalars(select(Region).order_by(func.lower(Region.name))))


def add_user(
    session: Session,
    *,
    actor: User,
    name: str,
    email: str,
    password: str | None,
    now: datetime,
    fast_hash: bool = False,
) -> User:
    """Create a user (no roles yet) with an initial password, or with none (`password=None`) and an invitation by
    mail to choose one: until then the account cannot sign in."""
    require_admin(actor)
    name, email = name.strip(), email.strip().lower()
    fields: dict[str, str] = {}
    if not name:
        fields["name"] = "Vul een naam in."
    elif len(name) > 200:
        fields["name"] = "De naam mag hoogstens 200 tekens lang zijn."
    if not _EMAIL.match(email) or len(email) > 254:
        fields["email"] = "Vul een geldig e-mailadres in."
    problem = password_problem(password, email=email, name=name) if password is not None else None
    if problem:
        fields["password"] = problem
    if fields:
        raise InvalidInput("Niet alle velden zijn goed ingevuld.", fields)
    if password is None:
        user = create_user_without_password(session, email=email, name=name, now=now)
        password_links.send_invitation(session, user=user, now=now)
    else:
        user = create_user(session, email=email, name=name, password=password, now=now, fast_hash=fast_hash)
    record_event(
        session,
        action="user_created",
        summary=f"Gebruiker {email} aangemaakt" + (" en uitgenodigd" if password is None else ""),
        now=now,
        actor=actor,
        details={"user_id": user.id, "email": email, "name": name, "invited": password is None},
    )
    return user


def invite_again(session: Session, *, actor: User, user_id: int, now: datetime) -> User:
    """Mail a new invitation to a user who has not chosen a password yet; the earlier link stops working."""
    user = _changeable_user(session, actor=actor, user_id=user_id)
    if has_password(user):
        raise Conflict(
            N_("Deze gebruiker heeft al een wachtwoord gekozen en kan zelf 'Wachtwoord vergeten?' gebruiken.")
        )
    if not user.active:
        raise Conflict(N_("Deze gebruiker is gedeactiveerd; maak hem of haar eerst weer actief."))
    password_links.send_invitation(session, user=user, now=now)
    record_event(
        session,
        action="user_invited",
        summary=f"Nieuwe uitnodiging gestuurd aan {user.email}",
        now=now,
        actor=actor,
        details={"user_id": user.id, "email": user.email},
    )
    return user


def grant_user_role(session: Session, *, actor: User, user_id: int, region_code: str, role: str, now: datetime) -> bool:
    """Give a user a role in a region; False when they already held it."""
    user = _changeable_user(session, actor=actor, user_id=user_id)
    fields = {}
    if session.get(Region, region_code) is None:
        fields["region"] = "Kies een regio."
    if role not in GRANTABLE_ROLES:
        fields["role"] = "Kies een rol."
    if fields:
        raise InvalidInput("Niet alle velden zijn goed ingevuld.", fields)
    if any(m.region_code == region_code and m.role == role for m in user.memberships):
        return False
    session.add(Membership(user=user, region_code=region_code, role=role))
    record_event(
        session,
        action="role_granted",
        summary=f"Rol {role} gegeven aan {user.email}",
        now=now,
        actor=actor,
        region_code=region_code,
        details={"user_id": user.id, "email": user.email, "role": role},
    )
    session.flush()
    return True


def revoke_user_role(
    session: Session, *, actor: User, user_id: int, region_code: str, role: str, now: datetime
) -> bool:
    """Take a role away; the user's claimed open tasks in that lane go back to the others. False if not held."""
    user = get_user(session, actor=actor, user_id=user_id)
    held = [m for m in user.memberships if m.region_code == region_code and m.role == role]
    if not held:
        return False
    for membership in held:
        user.memberships.remove(membership)
    record_event(
        session,
        action="role_revoked",
        summary=f"Rol {role} ingetrokken bij {user.email}",
        now=now,
        actor=actor,
        region_code=region_code,
        details={"user_id": user.id, "email": user.email, "role": role},
    )
    _release_claims(session, user, actor=actor, now=now, why="rol ingetrokken", region_code=region_code, role=role)
    session.flush()
    return True


def set_process_owner_everywhere(session: Session, *, actor: User, user_id: int, owner: bool, now: datetime) -> User:
    """Make a user process owner for every region (edits and deploys the shared processes), or stop that."""
    user = _changeable_user(session, actor=actor, user_id=user_id)
    if user.is_process_owner != owner:
        user.is_process_owner = owner
        record_event(
            session,
            action="process_owner_granted" if owner else "process_owner_revoked",
            summary=f"{user.email} is {'nu' if owner else 'niet langer'} procesbeheerder voor alle regio's",
            now=now,
            actor=actor,
            details={"user_id": user.id, "email": user.email},
        )
        session.flush()
    return user


def set_user_active(session: Session, *, actor: User, user_id: int, active: bool, now: datetime) -> User:
    """Deactivate (no more sign-in, claims released) or reactivate a user; never yourself."""
    user = _changeable_user(session, actor=actor, user_id=user_id)
    if user.id == actor.id and not active:
        raise NotAllowed("U kunt uzelf niet deactiveren.")
    if user.active == active:
        return user
    user.active = active
    record_event(
        session,
        action="user_reactivated" if active else "user_deactivated",
        summary=f"Gebruiker {user.email} {'weer actief gemaakt' if active else 'gedeactiveerd'}",
        now=now,
        actor=actor,
        details={"user_id": user.id, "email": user.email},
    )
    if not active:
        _release_claims(session, user, actor=actor, now=now, why="gebruiker gedeactiveerd")
        end_all_sessions(session, user_id=user.id, now=now)  # signed in elsewhere, they are out at once
    session.flush()
    return user


def add_region(session: Session, *, actor: User, code: str, name: str, now: datetime) -> Region:
    """Create a region; its code must be new."""
    require_admin(actor)
    code, name = code.strip().lower(), name.strip()
    fields = {}
    if not _REGION_CODE.match(code):
        fields["code"] = "Gebruik 2 tot 40 kleine letters, cijfers of streepjes, zoals 'twente'."
    elif session.get(Region, code) is not None:
        fields["code"] = "Er is al een regio met deze code."
    if not name:
        fields["name"] = "Vul een naam in."
    elif len(name) > 200:
        fields["name"] = "De naam mag hoogstens 200 tekens lang zijn."
    if fields:
        raise InvalidInput("Niet alle velden zijn goed ingevuld.", fields)
    region = Region(code=code, name=name)
    session.add(region)
    session.flush()
    seed_calendar(session, region_code=code, now=now)  # the known national deadlines, editable afterwards
    record_event(
        session,
        action="region_created",
        summary=f"Regio {name} aangemaakt",
        now=now,
        actor=actor,
        region_code=code,
        details={"code": code, "name": name},
    )
    return region


def make_admin(session: Session, *, email: str, now: datetime) -> User:
    """Make a user an administrator (the command line's way to appoint the first one)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"Er is geen gebruiker met e-mailadres {email.strip()}.")
    if not user.is_admin:
        user.is_admin = True
        record_event(
            session,
            action="admin_granted",
            summary=f"Beheerrechten gegeven aan {user.email} (opdrachtregel)",
            now=now,
            details={"user_id": user.id, "email": user.email},
        )
        session.flush()
    return user


def _release_claims(
    session: Session,
    user: User,
    *,
    actor: User,
    now: datetime,
    why: str,
    region_code: str | None = None,
    role: str | None = None,
) -> None:
    # A claimed task is hidden from everyone else: left with someone who can no longer act, it would stall.
    query = select(HumanTask).where(HumanTask.assignee_id == user.id, HumanTask.status == "open")
    if region_code is not None:
        query = query.where(HumanTask.region_code == region_code, HumanTask.role == role)
    for task in session.scalars(query):
        task.assignee_id = None
        record_task_event(
            session, task, action="task_unclaimed", summary=f"Taak vrijgegeven ({why})", actor=actor, now=now
        )
