"""A signed-in user changes their own password; their other browsers and API tokens are signed out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import credentials
from ...domain.errors import InvalidInput
from ...domain.passwords import MIN_PASSWORD_LENGTH
from ..limits import limiter
from ..messages import translate_fields
from ..runtime import runtime
from ..session_auth import current_session_id, page_call

password = Blueprint("password", __name__)


def _render(errors: dict[str, str]) -> str:
    return render_template("password.html", errors=errors, min_length=MIN_PASSWORD_LENGTH)


@password.get("/wachtwoord")
def form() -> str:
    with page_call(write=False):
        return _render({})


@password.post("/wachtwoord")
@limiter.limit(lambda: runtime().settings.login_rate_limit)  # the current password must not be guessable here
def change() -> Response | tuple[str, int]:
    rt = runtime()
    try:
        with page_call(write=True) as (session, user):
            credentials.change_own_password(
                session,
                user=user,
                current=request.form.get("current", ""),
                new=request.form.get("new", ""),
                repeat=request.form.get("repeat", ""),
                now=rt.clock(),
                keep_session=current_session_id(),
                fast_hash=rt.settings.fast_password_hashing,
            )
    except InvalidInput as err:  # rolled back: the old password still holds
        with page_call(write=False):
            return _render(translate_fields(err.fields)), 422
    flash(_("Uw wachtwoord is gewijzigd. Op andere apparaten en met oude API-tokens bent u nu afgemeld."), "success")
    return redirect(url_for("mail_admin.my_settings"))
