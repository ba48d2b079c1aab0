"""Security headers on every response: a strict Content-Security-Policy (no inline script; no inline style except
on the process editor), no sniffing, no framing, no referrer to other sites, and HSTS in production.

One small after_request hook instead of flask-talisman (unmaintained) or its fork `talisman`: we need no nonces,
one page-level exception (a decorator) and a few fixed headers, which do not justify a dependency. A view that
sets a header itself (the dev mail preview) keeps its own value."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

View = TypeVar("View", bound=Callable[..., object])

HSTS_MAX_AGE = 2 * 365 * 24 * 3600  # two years: browsers' preload lists ask for at least one


def inline_styles_allowed(view: View) -> View:
    """Mark a page whose libraries add <style> elements and style attributes: the process editor.

    Measured in chromium (tests/e2e/test_csp.py): CodeMirror 6 (style-mod) injects a <style> element and the
    editor bundle sets style="..." attributes (five violations on opening the editor). Only that page, for process
    owners, gets 'unsafe-inline' for styles; scripts stay 'self' everywhere, and every other page (the bpmn-js
    viewer too) keeps style-src 'self'."""
    view._sto_inline_styles = True  # type: ignore[attr-defined]
    return view


def content_security_policy(form_action_origins: Iterable[str] = (), *, inline_styles: bool = False) -> str:
    """The policy for every page; form_action_origins are extra origins a form may lead to (an SSO provider).

    Chromium applies form-action to the redirect after a form is submitted, so a sign-in button that posts to
    /inloggen/sso and is redirected to the identity provider needs that provider's origin here."""
    form_action = " ".join(["'self'", *(_origin(url) for url in form_action_origins if url)])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # bpmn-js sets element.style from script, which style-src does not govern; see inline_styles_allowed.
        "style-src": "'self' 'unsafe-inline'" if inline_styles else "'self'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": form_action,
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _origin(url: str) -> str:
    """The scheme and host of a URL: CSP source expressions name origins, not paths."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url


def init_security_headers(app: Flask, *, production: bool, form_action_origins: Iterable[str] = ()) -> None:
    """Add the headers to every response of the app, pages, API, errors and static files alike."""
    origins = list(form_action_origins)
    relaxed = content_security_policy(origins, inline_styles=True)
    headers = {
        "Content-Security-Policy": content_security_policy(origins),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    if production:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE}; includeSubDomains"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "_sto_inline_styles", False):
            response.headers.setdefault("Content-Security-Policy", relaxed)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
