"""Users, their roles per region, sign-in and API tokens."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import GRANTABLE_ROLES, Membership, Region, User
from . import auth_sessions
from .errors import InvalidInput, NotAuthenticated
from .passwords import hash_password, password_problem, verify_password

_TOKEN_SALT = "sto-flow-api-token"


def roles_by_region(user: User) -> dict[str, set[str]]:
    """The roles a user holds, per region code."""
    result: dict[str, set[str]] = defaultdict(set)
    for membership in user.memberships:
        result[membership.region_code].add(membership.role)
    return dict(result)


def authenticate(session: Session, *, email: str, password: str) -> User:
    """Return the active user with this email and password, or raise NotAuthenticated."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise NotAuthenticated("E-mailadres of wachtwoord klopt niet.")
    return user


def issue_token(user: User, *, secret_key: str, session_id: str = "") -> str:
    """A signed, expiring bearer token for the API, naming the sign-in session it belongs to."""
    return _sign(user.id, session_id, secret_key=secret_key)


def _sign(user_id: int, session_id: str, *, secret_key: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=_TOKEN_SALT).dumps({"uid": user_id, "sid": session_id})


def start_api_session(session: Session, *, user_id: int, secret_key: str, now: datetime, max_age: int) -> str:
    """A bearer token backed by a session row, so a new password or deactivation ends it."""
    session_id = auth_sessions.start_session(
        session, user_id=user_id, kind=auth_sessions.API, now=now, lifetime=timedelta(seconds=max_age)
    )
    return _sign(user_id, session_id, secret_key=secret_key)


def user_from_token(session: Session, token: str, *, secret_key: str, max_age: int) -> User:
    """The active user a bearer token belongs to, or NotAuthenticated (also once its session has ended)."""
    uid, _session_id = _live_token(session, token, secret_key=secret_key, max_age=max_age)
    user = session.get(User, uid, options=[joinedload(User.memberships)])
    if user is None or not user.active:
        raise NotAuthenticated("Het token is ongeldig.")
    return user


def end_token(session: Session, token: str, *, secret_key: str, max_age: int, now: datetime) -> None:
    """Sign out with a bearer token: it (and any copy of it) is refused from now on."""
    _uid, session_id = _live_token(session, token, secret_key=secret_key, max_age=max_age)
    auth_sessions.end_session(session, session_id, now=now)


def _live_token(session: Session, token: str, *, secret_key: str, max_age: int) -> tuple[int, str]:
    try:
        payload = URLSafeTimedSerializer(secret_key, salt=_TOKEN_SALT).loads(token, max_age=max_age)
    except SignatureExpired as err:
        raise NotAuthenticated("Het token is verlopen; vraag een nieuw token aan.") from err
    except BadSignature as err:
        raise NotAuthenticated("Het token is ongeldig.") from err
    uid = payload.get("uid") if isinstance(payload, dict) else None
    session_id = payload.get("sid") if isinstance(payload, dict) else None
    if not isinstance(uid, int) or not isinstance(session_id, str):
        raise NotAuthenticated("Het token is ongeldig.")
    if not auth_sessions.is_live(session, session_id, user_id=uid, kind=auth_sessions.API):
        raise NotAuthenticated("Het token is niet meer geldig; vraag een nieuw token aan.")
    return uid, session_id


def create_user(
    session: Session, *, email: str, name: str, password: str, now: datetime, fast_hash: bool = False
) -> User:
    """Create a user; the email must be new and the password must meet the password policy."""
    problem = password_problem(password, email=email.strip().lower(), name=name)
    if problem:
        raise InvalidInput(problem, {"password": problem})
    return _insert_user(session, email=email, name=name, password_hash=hash_password(password, fast=fast_hash), now=now)


def create_user_bypassing_password_policy(
    session: Session, *, email: str, name: str, password: str, now: datetime, fast_hash: bool = False
) -> User:
    """Create a user with any password: only for the demo accounts (password 'demo') that `make run` loads into an
    empty database, and for tests. No request reaches this; tests/web/test_password_policy.py checks who calls it."""
    return _insert_user(session, email=email, name=name, password_hash=hash_password(password, fast=fast_hash), now=now)


NO_PASSWORD = "!"  # never a valid hash: the account cannot sign in until its holder chose a password


def create_user_without_password(session: Session, *, email: str, name: str, now: datetime) -> User:
    """Create a user who cannot sign in until they chose a password through a one-time link."""
    return _insert_user(session, email=email, name=name, password_hash=NO_PASSWORD, now=now)


def has_password(user: User) -> bool:
    """False for an account whose holder has not chosen a password yet."""
    return user.password_hash != NO_PASSWORD


def _insert_user(session: Session, *, email: str, name: str, password_hash: str, now: datetime) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput("Ongeldig e-mailadres.", {"email": "Vul een geldig e-mailadres in."})
    if session.scalar(select(User).where(User.email == email)):
        raise InvalidInput("Deze gebruiker bestaat al.", {"email": "Er is al een gebruiker met dit e-mailadres."})
    user = User(email=email, name=name, password_hash=password_hash, created_at=now)
    session.add(user)
    session.flush()
    return user


SYSTEM_EMAIL = "systeem@sto-flow.invalid"


def system_user(session: Session, *, now: datetime) -> User:
    """The account scheduled actions run as; it holds no roles and can never sign in (inactive, no password)."""
    user = session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    if user is None:
        user = User(email=SYSTEM_EMAIL, name="STO Flow (systeem)", password_hash="!", active=False, created_at=now)
        session.add(user)
        session.flush()
    return user


def ensure_region(session: Session, *, code: str, name: str) -> Region:
    """Return the region with this code, creating it when it is new."""
    region = session.get(Region, code)
    if region is None:
        region = Region(code=code, name=name)
        session.add(region)
        session.flush()
    return region


def grant_role(session: Session, *, user: User, region_code: str, role: str) -> Membership:
    """Give a user a role in a region (idempotent)."""
    if role not in GRANTABLE_ROLES:
        raise InvalidInput("Onbekende rol.", {"role": f"Kies een van: {', '.join(GRANTABLE_ROLES)}."})
    if session.get(Region, region_code) is None:
        raise InvalidInput("Onbekende regio.", {"region": f"Regio '{region_code}' bestaat niet."})
    for membership in user.memberships:
        if membership.region_code == region_code and membership.role == role:
            return membership
    membership = Membership(user=user, region_code=region_code, role=role)
    session.add(membership)
    session.flush()
    return membership
