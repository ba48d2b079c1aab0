"""Without STO_OIDC_* nothing changes: no button on the sign-in page, and the single sign-on addresses do not
exist. With it, the button carries the default label or the one an operator chose."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from service.settings import Settings
from service.web.app import create_app
from service.web.runtime import Runtime

DEFAULT_LABEL = "Aanmelden met uw organisatie-account"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, oidc_issuer="", oidc_client_id="", oidc_client_secret="")


def test_without_configuration_there_is_no_button_and_the_routes_answer_404(client: FlaskClient) -> None:
    page = client.get("/aanmelden")
    assert page.status_code == 200 and "Aanmelden bij STO Flow" in page.text
    assert DEFAULT_LABEL not in page.text and "/inloggen/sso" not in page.text
    assert client.get("/inloggen/sso").status_code == 404
    assert client.get("/inloggen/sso/terug?code=x&state=y").status_code == 404


def test_with_configuration_the_button_shows_the_label_and_keeps_where_to_go(runtime: Runtime) -> None:
    configured = dataclasses.replace(runtime.settings, oidc_issuer="https://login.example", oidc_client_id="sto")
    client = create_app(runtime=dataclasses.replace(runtime, settings=configured)).test_client()
    page = client.get("/aanmelden?next=/verzoeken")
    assert f'href="/inloggen/sso?next=/verzoeken">{DEFAULT_LABEL}</a>' in page.text

    chosen = dataclasses.replace(configured, oidc_label="Inloggen met Entra ID")
    client = create_app(runtime=dataclasses.replace(runtime, settings=chosen)).test_client()
    page = client.get("/aanmelden")
    assert 'href="/inloggen/sso">Inloggen met Entra ID</a>' in page.text and DEFAULT_LABEL not in page.text
