"""A signed-in user changes their own password; their other browsers and API tokens are signed out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import credentials
from ...domain.errors import InvalidInput
from ..limits import limiter
from ..runtime import runtime
from ..session_auth import current_session_id, page_call

password = Blueprint("password", __name__)


def _messages() -> dict[str, str]:
    # The domain speaks Dutch; the page shows its messages in the UI's language.
    return {
        "Het huidige wachtwoord klopt niet.": _("Het huidige wachtwoord klopt niet."),
        f"Het nieuwe wachtwoord moet minstens {credentials.MIN_PASSWORD_LENGTH} tekens lang zijn.": _(
            "Het nieuwe wachtwoord moet minstens %(count)s tekens lang zijn.", count=credentials.MIN_PASSWORD_LENGTH
        ),
        f"Het nieuwe wachtwoord mag hoogstens {credentials.MAX_PASSWORD_LENGTH} tekens lang zijn.": _(
            "Het nieuwe wachtwoord mag hoogstens %(count)s tekens lang zijn.", count=credentials.MAX_PASSWORD_LENGTH
        ),
        "De twee nieuwe wachtwoorden zijn niet gelijk.": _("De twee nieuwe wachtwoorden zijn niet gelijk."),
    }


def _render(errors: dict[str, str]) -> str:
    return render_template("password.html", errors=errors, min_length=credentials.MIN_PASSWORD_LENGTH)


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
        messages = _messages()
        with page_call(write=False):
            return _render({field: messages.get(text, text) for field, text in err.fields.items()}), 422
    flash(_("Uw wachtwoord is gewijzigd. Op andere apparaten en met oude API-tokens bent u nu afgemeld."), "success")
    return redirect(url_for("mail_admin.my_settings"))
