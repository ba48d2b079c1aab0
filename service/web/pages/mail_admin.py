"""Mail pages: the outbox for administrators (failed, stuck and waiting mail, with a retry button), each user's
choice between direct mail and a daily digest. The mail the local catch-all received is in dev_mail."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import notifications
from ...domain.errors import InvalidInput
from ..runtime import runtime
from ..session_auth import page_call

mail_admin = Blueprint("mail_admin", __name__)


@mail_admin.get("/beheer/mail")
def outbox() -> str:
    with page_call(write=False) as (session, actor):
        overview = notifications.get_outbox_overview(session, actor=actor, now=runtime().clock())
        return render_template("mail_admin.html", overview=overview)


@mail_admin.post("/beheer/mail/<int:mail_id>/opnieuw")
def retry(mail_id: int) -> Response:
    with page_call(write=True) as (session, actor):
        row = notifications.requeue_mail(session, actor=actor, mail_id=mail_id, now=runtime().clock())
        recipient = row.recipient
    flash(_("De mail aan %(recipient)s staat weer klaar om te versturen.", recipient=recipient), "success")
    return redirect(url_for("mail_admin.outbox"))


@mail_admin.get("/instellingen")
def my_settings() -> str:
    with page_call(write=False) as (_session, user):
        return render_template("mail_settings.html", preference=user.mail_preference, error=None)


@mail_admin.post("/instellingen")
def save_settings() -> Response | tuple[str, int]:
    chosen = request.form.get("mail_preference", "")
    try:
        with page_call(write=True) as (session, user):
            notifications.set_mail_preference(session, user=user, preference=chosen)
    except InvalidInput:
        page = render_template("mail_settings.html", preference=chosen, error=_("Kies direct of dagelijks."))
        return page, 422
    flash(_("Uw instellingen zijn opgeslagen."), "success")
    return redirect(url_for("mail_admin.my_settings"))
