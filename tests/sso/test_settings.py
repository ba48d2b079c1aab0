"""Single sign-on is configured from the environment only; half a configuration stops the service at start."""

from __future__ import annotations

import pytest

from service.settings import Settings

BASE = {"STO_SECRET_KEY": "k" * 40}


def test_without_variables_single_sign_on_is_off() -> None:
    settings = Settings.from_env(BASE)
    assert (settings.oidc_issuer, settings.oidc_client_id) == ("", "")
    assert settings.oidc_label == "Aanmelden met uw organisatie-account"
    assert settings.oidc_scopes == "openid email profile"


def test_the_variables_are_read_and_the_secret_stays_out_of_the_repr() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "STO_OIDC_ISSUER": "https://login.example/realms/sto/",
            "STO_OIDC_CLIENT_ID": "sto-flow",
            "STO_OIDC_CLIENT_SECRET": "zeer-geheim-123",
            "STO_OIDC_LABEL": "Inloggen met SURFconext",
            "STO_OIDC_SCOPES": "openid  email",
        }
    )
    assert settings.oidc_issuer == "https://login.example/realms/sto"  # discovery is appended to it
    assert (settings.oidc_client_id, settings.oidc_client_secret) == ("sto-flow", "zeer-geheim-123")
    assert (settings.oidc_label, settings.oidc_scopes) == ("Inloggen met SURFconext", "openid email")
    assert "zeer-geheim-123" not in repr(settings)


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"STO_OIDC_ISSUER": "https://login.example"}, "must be set together"),
        ({"STO_OIDC_CLIENT_ID": "sto-flow"}, "must be set together"),
        ({"STO_OIDC_ISSUER": "login.example", "STO_OIDC_CLIENT_ID": "sto"}, "http(s) URL"),
        ({"STO_OIDC_ISSUER": "https://x.example", "STO_OIDC_CLIENT_ID": "sto", "STO_OIDC_SCOPES": "email"}, "openid"),
    ],
)
def test_half_a_configuration_refuses_to_start(variables: dict[str, str], complaint: str) -> None:
    with pytest.raises(RuntimeError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env({**BASE, **variables})
