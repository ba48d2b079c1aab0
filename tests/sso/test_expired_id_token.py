"""An ID token that has already expired (beyond Authlib's two minutes of leeway for clocks) signs nobody in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from service.web.runtime import Runtime
from tests.sso.harness import LEIDER, Provider, Walk
from tests.sso.test_provider_trouble import NOT_FINISHED, _nobody_signed_in
from tests.sso.test_sign_on import _error, _signed_out


@pytest.fixture
def provider_options() -> dict[str, Any]:
    return {"access_token_max_age": timedelta(minutes=-10)}  # every token it signs expired ten minutes ago


def test_an_expired_id_token_is_refused(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    provider.set_user("pl-3", email=LEIDER, email_verified=True)
    visit = walk()

    page = visit.sign_in_as("pl-3")

    assert page.status_code == 502 and _error(page) == NOT_FINISHED
    assert "ExpiredTokenError" in caplog.text  # refused for its expiry, not for something else on the way
    assert _signed_out(visit) and _nobody_signed_in(runtime)
