"""Fixtures for the API tests: extra users holding a role, besides the demo users."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.domain import accounts, demo
from service.web.runtime import Runtime


@pytest.fixture
def add_user(runtime: Runtime, clock) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """add_user(email, role, region='demo') -> email: a new user (password 'demo') holding the role."""

    def _add(email: str, role: str, region: str = "demo") -> str:
        with runtime.transaction(write=True) as session:
            user = demo.create_demo_user(session, email=email, name=email, now=clock(), fast_hash=True)
            accounts.grant_role(session, user=user, region_code=region, role=role)
        return email

    return _add


@pytest.fixture
def second_projectleider(add_user: Callable[..., str]) -> str:
    """A second projectleider in region demo, so two people may act on the same task."""
    return add_user("projectleider2@demo.sto", "projectleider")
