"""The limit that slows down password guessing also guards the way back from the provider."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from service.settings import Settings
from tests.sso.harness import Walk


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, login_rate_limit="3 per minute")


def test_the_callback_is_rate_limited_like_password_sign_in(walk: Callable[[], Walk]) -> None:
    visit = walk()
    answers = [visit.page(f"/inloggen/sso/terug?code=gok{i}&state=gok{i}") for i in range(4)]

    assert [answer.status_code for answer in answers] == [400, 400, 400, 429]
    assert "Te veel pogingen" in answers[-1].text
    assert "Retry-After" in answers[-1].headers
