"""Single sign-on against a real OpenID Connect provider: oidc-provider-mock served on 127.0.0.1:<free port>,
and the app served by waitress on another, so a real HTTP client (or chromium) follows the redirects across both.
The provider lets a test decide each person's claims (PUT /users/<sub>) and sign in as them (its form).
These fixtures reach the tests through tests/sso/conftest.py, and through an import in tests/e2e/."""

from __future__ import annotations

import base64
import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import oidc_provider_mock
import pytest
import requests
import waitress
from waitress import wasyncore
from werkzeug.serving import BaseWSGIServer, make_server

from service.settings import Settings
from service.web.app import create_app
from service.web.runtime import Runtime

CLIENT_ID = "sto-flow-tests"
CLIENT_SECRET = "geheim-sso-6f1c9a2e-only-in-tests"  # searched for in logs and pages: it must never show up
LEIDER = "projectleider@demo.sto"
LEIDER_NAME = "Projectleider Demo-regio"  # the layout names who is signed in
TIMEOUT = 10


@dataclass
class Provider:
    """The running provider: its issuer URL, a way to say who a subject is, and a way to take it down."""

    url: str
    server: BaseWSGIServer

    def set_user(self, sub: str, **claims: Any) -> None:
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=TIMEOUT)
        assert response.status_code == 204, response.text

    def stop(self) -> None:
        """The provider goes down (its port stops answering)."""
        self.server.shutdown()
        self.server.server_close()


class TokenTamper:
    """Between the app and the provider's token endpoint: makes the provider sign its ID token for another
    issuer (Host) or another client (the audience), as a confused or malicious provider might."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.host: str | None = None
        self.client_id: str | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == "/oauth2/authorize" and self.client_id:
            # The code must belong to the other client too, or the provider would not exchange it at all.
            query = environ.get("QUERY_STRING", "")
            environ["QUERY_STRING"] = query.replace(f"client_id={CLIENT_ID}", f"client_id={self.client_id}")
        if environ.get("PATH_INFO") == "/oauth2/token":
            if self.host:
                environ["HTTP_HOST"] = self.host
            if self.client_id:
                basic = base64.b64encode(f"{self.client_id}:{CLIENT_SECRET}".encode()).decode()
                environ["HTTP_AUTHORIZATION"] = f"Basic {basic}"
        return self.app(environ, start_response)


@pytest.fixture
def provider_options() -> dict[str, Any]:
    """Options for oidc_provider_mock.app(); a test module overrides this to change how the provider behaves."""
    return {}


@pytest.fixture
def token_tamper(provider: Provider) -> TokenTamper:
    tamper = provider.server.app
    assert isinstance(tamper, TokenTamper)
    return tamper


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch, provider_options: dict[str, Any]) -> Iterator[Provider]:
    """A real OpenID Connect provider on a free port; it requires a nonce, as a careful provider may."""
    # The provider refuses plain http unless told otherwise; on this machine it has no certificate.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    app = TokenTamper(oidc_provider_mock.app(**{"require_nonce": True, **provider_options}))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    running = Provider(f"http://127.0.0.1:{server.server_port}", server)
    try:
        yield running
    finally:
        running.stop()  # at once when it was still up; a test may have stopped it already
        thread.join(timeout=5)


class _AppLater:
    """A WSGI app filled in once the port is known (the settings, and so the app, need the site's own URL)."""

    app: Callable[..., Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None, "the site was served before its app was made"
        return self.app(environ, start_response)


@dataclass
class _Served:
    url: str
    later: _AppLater


@pytest.fixture
def site_server() -> Iterator[_Served]:
    """waitress on 127.0.0.1:<free port>, as in tests/e2e, with the app filled in by `site`."""
    later = _AppLater()
    server = waitress.create_server(later, host="127.0.0.1", port=0, threads=4)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():  # short rounds, so the test thread can stop it between two (see tests/e2e)
            wasyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=serve, name="sso-waitress", daemon=True)
    thread.start()
    try:
        yield _Served(f"http://127.0.0.1:{server.effective_port}", later)
    finally:
        stop.set()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(server._map)


@pytest.fixture
def settings(settings: Settings, provider: Provider, site_server: _Served) -> Settings:
    """The tests' settings, with single sign-on at the provider and the site's own URL for the way back."""
    return dataclasses.replace(
        settings,
        base_url=site_server.url,
        oidc_issuer=provider.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
    )


@pytest.fixture
def site(runtime: Runtime, site_server: _Served) -> str:
    """The app on its server; its URL."""
    site_server.later.app = create_app(runtime=runtime)
    return site_server.url


@dataclass
class Walk:
    """One browser-like visit (its own cookies) through the sign-in with the provider."""

    site: str
    provider: Provider
    http: requests.Session = dataclasses.field(default_factory=requests.Session)

    def to_provider(self, next_page: str | None = None) -> requests.Response:
        """Press the button: this follows the redirect to the provider's authorization form."""
        params = {"next": next_page} if next_page else None
        form = self.http.get(f"{self.site}/inloggen/sso", params=params, timeout=TIMEOUT)
        assert form.status_code == 200, form.text
        assert form.url.startswith(f"{self.provider.url}/oauth2/authorize?"), form.url
        return form

    def sign_in_as(self, sub: str, next_page: str | None = None) -> requests.Response:
        """Authorise at the provider as `sub`; follows the redirects back to the site and on."""
        form = self.to_provider(next_page)
        return self.http.post(form.url, data={"sub": sub}, timeout=TIMEOUT)

    def deny(self) -> requests.Response:
        form = self.to_provider()
        return self.http.post(form.url, data={"action": "deny"}, timeout=TIMEOUT)

    def page(self, path: str) -> requests.Response:
        return self.http.get(f"{self.site}{path}", timeout=TIMEOUT)


@pytest.fixture
def walk(site: str, provider: Provider) -> Callable[[], Walk]:
    """walk() -> a fresh visitor of the site, signed in nowhere."""
    return lambda: Walk(site, provider)
