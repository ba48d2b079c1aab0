"""Sign in and out, a forgotten password, and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import accounts, password_links
from ...domain.errors import NotAuthenticated
from ..i18n import LANGUAGES
from ..limits import limiter
from ..runtime import runtime
from ..session_auth import sign_in, sign_out

auth = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only redirect within this site (an open redirect would help phishing)."""
    if not target:
        return url_for("inbox.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("inbox.home")
    return target


@auth.get("/aanmelden")
def sign_in_page() -> str:
    return render_template("sign_in.html", next=request.args.get("next", ""), email="", error=None)


@auth.post("/aanmelden")
@limiter.limit(lambda: runtime().settings.login_rate_limit)
def sign_in_submit() -> Response | tuple[str, int]:
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    try:
        # Checking the password takes a while (argon2): outside the write transaction, which only records the sign-in.
        with runtime().transaction(write=False) as db_session:
            user_id = accounts.authenticate(db_session, email=email, password=password).id
        with runtime().transaction(write=True) as db_session:
            sign_in(db_session, user_id)
    except NotAuthenticated:
        error = _("E-mailadres of wachtwoord klopt niet.")
        page = render_template("sign_in.html", next=request.form.get("next", ""), email=email, error=error)
        return page, 401
    return redirect(safe_next(request.form.get("next")))


@auth.get("/wachtwoord-vergeten")
def forgotten_page() -> str:
    return render_template("password_forgotten.html", email=request.args.get("email", ""), sent=False, error=None)


@auth.post("/wachtwoord-vergeten")
@limiter.limit(lambda: runtime().settings.login_rate_limit)  # no mailbox flooding, no fast probing of addresses
def forgotten_submit() -> str | tuple[str, int]:
    email = request.form.get("email", "").strip()[:254]
    if not email:
        error = _("Vul uw e-mailadres in.")
        return render_template("password_forgotten.html", email="", sent=False, error=error), 422
    rt = runtime()
    with rt.transaction(write=True) as db_session:
        password_links.request_new_password(db_session, email=email, now=rt.clock())
    # The same answer whether or not the address has an account: the page must not tell who has one.
    return render_template("password_forgotten.html", email=email, sent=True, error=None)


@auth.post("/afmelden")
def sign_out_page() -> Response:
    sign_out()
    return redirect(url_for("auth.sign_in_page"))


@auth.post("/taal")
def language() -> Response:
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next")))
