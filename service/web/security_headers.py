"""Security headers on every response: a strict Content-Security-Policy (no inline script or style), no sniffing,
no framing, no referrer to other sites, and HSTS in production.

Written as one small after_request hook instead of flask-talisman (unmaintained) or its fork `talisman`: we need
neither nonces nor per-view policies, and six fixed headers do not justify a dependency."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response

HSTS_MAX_AGE = 2 * 365 * 24 * 3600  # two years: browsers' preload lists ask for at least one


def content_security_policy(form_action_origins: Iterable[str] = ()) -> str:
    """The policy for every page; form_action_origins are extra origins a form may lead to (an SSO provider).

    Chromium applies form-action to the redirect after a form is submitted, so a sign-in button that posts to
    /inloggen/sso and is redirected to the identity provider needs that provider's origin here."""
    form_action = " ".join(["'self'", *(_origin(url) for url in form_action_origins if url)])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # bpmn-js and dmn-js set element.style from script, which style-src does not govern; no library adds
        # <style> elements (tests/e2e/test_csp.py fails on any violation), so no 'unsafe-inline' here either.
        "style-src": "'self'",
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
    headers = {
        "Content-Security-Policy": content_security_policy(form_action_origins),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    if production:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE}; includeSubDomains"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
