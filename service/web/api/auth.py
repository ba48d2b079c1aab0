"""Bearer-token authentication for the API: a signed token naming a live server-side session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, request
from sqlalchemy.orm import Session

from ...domain import accounts
from ...domain.errors import NotAuthenticated
from ...models import User
from ..runtime import runtime


def bearer_token() -> str:
    """The token of the Authorization header; NotAuthenticated (401) without one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Meld u aan: stuur 'Authorization: Bearer <token>' mee.")
    return token.strip()


@contextmanager
def api_call(*, write: bool) -> Iterator[tuple[Session, User]]:
    """One transaction for one API call, with the signed-in user; 401 without a valid token."""
    token = bearer_token()
    rt = runtime()
    with rt.transaction(write=write) as session:
        user = accounts.user_from_token(
            session, token, secret_key=rt.settings.secret_key, max_age=rt.settings.token_max_age_seconds
        )
        g.api_user_id = user.id  # for the access log line
        yield session, user
