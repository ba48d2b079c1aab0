"""Single sign-on against a real OpenID Connect provider: oidc-provider-mock served on 127.0.0.1:<free port>,
and the app served by waitress on another, so a real HTTP client (or chromium) follows the redirects across both.
The provider lets a test decide each person's claims (PUT /users/<sub>) and sign in as them (its form)."""

from __future__ import annotations

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
from werkzeug.serving import make_server

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
    """The running provider: its issuer URL, and a way to say who a subject is."""

    url: str

    def set_user(self, sub: str, **claims: Any) -> None:
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=TIMEOUT)
        assert response.status_code == 204, response.text


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    """A real OpenID Connect provider on a free port; it requires a nonce, as a careful provider may."""
    # The provider refuses plain http unless told otherwise; on this machine it has no certificate.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
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
