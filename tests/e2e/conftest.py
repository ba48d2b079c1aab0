"""Browser tests: the real app served by waitress on a free port, driven by Debian's chromium through Playwright.

Each test gets its own server over the `runtime` fixture (an emptied database with the demo data, deployed
diagrams and a fake clock), one chromium per session, and a fresh browser context per user. Screenshots go to
test-artifacts/e2e/<test-name>/<nn>-<what>.png; a failing test also leaves one of every page it had open.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import waitress
from waitress import wasyncore

from service.settings import ROOT
from service.web.app import create_app
from service.web.runtime import Runtime

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError as err:  # pragma: no cover - the dev extras install it
    raise ImportError(
        "The browser tests need the 'playwright' package: run `make install` (pip install -e .[dev])."
    ) from err

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
TIMEOUT_MS = 10_000  # per action and per expectation; pages here answer in milliseconds


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Remember each phase's outcome on the test item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"e2e_{report.when}", report)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium for the whole session. Missing chromium fails every browser test, loudly."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; the browser tests (tests/e2e) drive Debian's chromium. "
            "Install it with `make browser` (apt-get install chromium). Do not run `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    """The app served over HTTP for the browser, with the runtime behind it (database, clock)."""

    url: str
    runtime: Runtime


@pytest.fixture
def live_server(runtime: Runtime) -> Iterator[LiveServer]:
    """The app on 127.0.0.1:<free port>, served by waitress in a background thread, stopped after the test."""
    app = create_app(runtime=runtime)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)  # as `make run`
    stop = threading.Event()

    def serve() -> None:
        # waitress's own run() loops until its sockets are closed; closing them from this (the test) thread
        # while that loop sits in select() fails with EBADF. Loop in short rounds and stop between rounds.
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=serve, name="e2e-waitress", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}", runtime)
    finally:
        stop.set()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=5)  # let a request still in flight finish
        wasyncore.close_all(server._map)  # the listening socket, its trigger and kept-alive connections
    assert not thread.is_alive(), "the test server did not stop"


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:120]


class Screenshots:
    """shot(page, 'what') saves test-artifacts/e2e/<test-name>/<nn>-<what>.png (the whole page)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)  # only this run's pictures
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, what: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{_safe_name(what)}.png"
        # A full-page capture leaves chromium scrolled to the bottom with the old position pending; the next
        # mouse press then jumps back and a click would land beside its button. Put the scroll back ourselves.
        scrolled = page.evaluate("() => [window.scrollX, window.scrollY]")
        page.screenshot(path=str(path), full_page=True)
        page.evaluate(
            """([x, y]) => new Promise(done => {
                   window.scrollTo(x, y);
                   requestAnimationFrame(() => requestAnimationFrame(done));
               })""",
            scrolled,
        )
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screenshots:
    return Screenshots(ARTIFACTS / _safe_name(request.node.name))


@dataclass
class User:
    """One person in their own browser context (own cookies), signed in or not."""

    email: str
    context: BrowserContext
    page: Page
    js_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)


# Injected through the DevTools protocol, so the policy under test does not block this reporter itself.
REPORT_CSP_VIOLATIONS = """document.addEventListener('securitypolicyviolation', e => console.error(
    'CSP violation: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at '
    + (e.sourceFile || location.pathname) + ':' + e.lineNumber + ' ' + (e.sample || '')));"""


def _is_csp_message(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


OpenBrowser = Callable[[str], User]


@pytest.fixture
def open_browser(
    browser: Browser, live_server: LiveServer, shot: Screenshots, request: pytest.FixtureRequest
) -> Iterator[OpenBrowser]:
    """open_browser(label) -> User: a fresh context (nothing shared with other users) on the live server.
    Uncaught JavaScript errors and dialogs (alert, confirm) are recorded on the User; dialogs are dismissed."""
    users: list[User] = []

    def _open(label: str) -> User:
        context = browser.new_context(
            base_url=live_server.url,
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        user = User(label, context, page)
        page.on(
            "console",
            lambda message: user.csp_violations.append(message.text) if _is_csp_message(message.text) else None,
        )
        page.on("pageerror", lambda error: user.js_errors.append(str(error)))
        page.on("dialog", lambda dialog: (user.dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
        users.append(user)
        return user

    yield _open
    call = getattr(request.node, "e2e_call", None)
    # Every browser test doubles as a check of the Content-Security-Policy: a page that needed something the
    # policy blocks (an inline script, a <style> element, eval) fails the test that showed it.
    blocked = [f"{user.email}: {text}" for user in users for text in user.csp_violations]
    for user in users:
        if call is not None and call.failed:
            with contextlib.suppress(Exception):  # a crashed page must not hide the real failure
                shot(user.page, f"failure-{user.email}")
        user.context.close()
    if blocked and not (call is not None and call.failed):
        pytest.fail("The Content-Security-Policy blocked something:\n" + "\n".join(sorted(set(blocked))))
