"""Reading the provider's claims: email_verified as a boolean or as the text "true", and the user info asked for
only when the ID token has no email, and used only when it is about the same subject."""

from __future__ import annotations

from typing import Any

import pytest

from service.domain.sso import ProviderIdentity
from service.web.pages.sso import add_missing_email


@pytest.mark.parametrize(
    ("verified", "expected"),
    [(True, True), ("true", True), ("True", True), (False, False), ("yes", False), (None, False)],
)
def test_only_a_true_email_verified_counts(verified: object, expected: bool) -> None:
    identity = ProviderIdentity.from_claims({"sub": "s", "email": " pia@school.nl ", "email_verified": verified})
    assert (identity.subject, identity.email, identity.email_verified) == ("s", "pia@school.nl", expected)


class _UserInfo:
    """The provider's user info endpoint, answering with fixed claims and counting the calls."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.calls = 0

    def userinfo(self, token: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        return self.answer


def test_the_user_info_fills_in_a_missing_email_for_the_same_subject_only() -> None:
    token = {"access_token": "a"}
    answer = {"sub": "s", "email": "pia@school.nl", "email_verified": True}
    assert add_missing_email(_UserInfo(answer), token, {"sub": "s"}) == answer
    other = _UserInfo({"sub": "iemand-anders", "email": "pia@school.nl", "email_verified": True})
    assert add_missing_email(other, token, {"sub": "s"}) == {"sub": "s"}
    asked = _UserInfo({"sub": "s", "email": "ander@school.nl"})
    assert add_missing_email(asked, token, {"sub": "s", "email": "pia@school.nl"})["email"] == "pia@school.nl"
    assert asked.calls == 0  # the ID token's own email is enough
