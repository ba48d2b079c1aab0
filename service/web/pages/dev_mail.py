"""Development only: the mail the local catch-all received, for administrators. Outside production only; in
production the blueprint is never registered, so its routes do not exist at all."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import gettext as _

from ...domain.errors import NotAllowed
from ...mail import catchall
from ...models import User
from ..runtime import runtime
from ..session_auth import page_call

dev_mail = Blueprint("dev_mail", __name__)


def _caught_dir() -> Path:
    # Settings can only change in tests, but a production runtime must never show the directory, whatever happens.
    if runtime().settings.is_production:
        abort(404)
    return Path(current_app.config.get("STO_MAIL_CATCHALL_DIR", catchall.CATCHALL_DIR))


def _require_admin(user: User) -> None:
    # The caught mail of every region sits here, and demo installs are shared: administrators only.
    if not user.is_admin:
        raise NotAllowed(_("Alleen beheerders kunnen de opgevangen mail lezen."))


@dev_mail.get("/dev/mail")
def caught_list() -> str:
    directory = _caught_dir()
    with page_call(write=False) as (_session, user):
        _require_admin(user)
        return render_template("mail_dev_list.html", mails=catchall.list_caught(directory), directory=directory)


@dev_mail.get("/dev/mail/<name>")
def caught_show(name: str) -> str:
    directory = _caught_dir()
    with page_call(write=False) as (_session, user):
        _require_admin(user)
        mail = catchall.find_caught(name, directory)
        if mail is None:
            abort(404)
        return render_template("mail_dev_show.html", mail=mail, name=name)


# The mail's own HTML styles itself inline, as mail must; shown on its own address in a sandboxed frame, it gets a
# policy of its own (no script, no requests, inline styles) instead of weakening the page's policy.
MAIL_PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'"


@dev_mail.get("/dev/mail/<name>/html")
def caught_html(name: str) -> Response:
    directory = _caught_dir()
    with page_call(write=False) as (_session, user):
        _require_admin(user)
        mail = catchall.find_caught(name, directory)
        if mail is None or not mail.html:
            abort(404)
    response = Response(mail.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
