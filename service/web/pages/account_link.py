"""The page an account's holder opens from the mail to choose a password: their first (an account the region or an
administrator made for them) or a new one (they forgot it). No sign-in: the one-time link is the key."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import password_links
from ...domain.errors import Conflict, InvalidInput
from ...domain.passwords import MIN_PASSWORD_LENGTH
from ..messages import translate, translate_fields
from ..runtime import runtime

account_link = Blueprint("account_link", __name__)


@account_link.get("/account/wachtwoord/<token>")
def show(token: str) -> str | tuple[str, int]:
    rt = runtime()
    with rt.transaction(write=False) as session:
        try:
            view = password_links.open_link(session, token, now=rt.clock())
        except password_links.PasswordLinkRefused as err:
            return _refused(translate(err.reason)), err.status
    return _page(view, token, {})


@account_link.post("/account/wachtwoord/<token>")
def choose(token: str) -> Response | str | tuple[str, int]:
    rt = runtime()
    view = None
    try:
        with rt.transaction(write=True) as session:
            view = password_links.open_link(session, token, now=rt.clock())
            password_links.choose_password(
                session,
                view,
                new=request.form.get("new", ""),
                repeat=request.form.get("repeat", ""),
                now=rt.clock(),
                fast_hash=rt.settings.fast_password_hashing,
            )
    except password_links.PasswordLinkRefused as err:
        return _refused(translate(err.reason)), err.status
    except InvalidInput as err:  # nothing saved: the link still works
        assert view is not None  # choose_password is only reached with an open link
        return _page(view, token, translate_fields(err.fields)), 422
    except Conflict:
        return _refused(_("Deze link is net al gebruikt.")), 409
    flash(_("Uw wachtwoord is ingesteld. Meld u aan met uw e-mailadres en dit wachtwoord."), "success")
    return redirect(url_for("auth.sign_in_page"))


def _page(view: password_links.LinkView, token: str, errors: dict[str, str]) -> str:
    return render_template(
        "account_password.html", view=view, token=token, errors=errors, min_length=MIN_PASSWORD_LENGTH
    )


def _refused(reason: str) -> str:
    # A way on: sign in with the password chosen before, or ask for a new link.
    return render_template("invitation_refused.html", reason=reason, account_link=True)
