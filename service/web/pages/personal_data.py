"""Personal data (AVG) on a person's admin page: the JSON export and anonymising someone who left."""

from __future__ import annotations

import io
import json
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import people as people_cases
from ...domain import personal_data
from ..messages import translate
from ..runtime import runtime
from ..session_auth import page_call

personal = Blueprint("personal_data", __name__, url_prefix="/beheer")


@personal.post("/gebruikers/<int:user_id>/gegevens")
def export(user_id: int) -> Response:
    """A POST (with CSRF) rather than a link: every export is an audited act of an administrator."""
    with page_call(write=True) as (session, actor):
        data = personal_data.export_personal_data(session, actor=actor, user_id=user_id, now=_now())
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    name = f"persoonsgegevens-{user_id}-{_now():%Y%m%d}.json"
    response = send_file(io.BytesIO(body), mimetype="application/json", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"  # personal data stays out of shared caches
    return response


@personal.get("/gebruikers/<int:user_id>/anonimiseren")
def confirm_anonymise(user_id: int) -> str:
    with page_call(write=False) as (session, actor):
        person = people_cases.get_user(session, actor=actor, user_id=user_id)
        return render_template(
            "people_anonymise.html",
            person=person,
            new_name=personal_data.placeholder_name(person.id),
            new_email=personal_data.placeholder_email(person.id),
        )


@personal.post("/gebruikers/<int:user_id>/anonimiseren")
def anonymise(user_id: int) -> Response:
    try:
        with page_call(write=True) as (session, actor):
            personal_data.anonymise_user(session, actor=actor, user_id=user_id, now=_now())
    except personal_data.AnonymiseRefused as err:
        flash(translate(err.message), "error")
        return redirect(url_for("personal_data.confirm_anonymise", user_id=user_id))
    flash(_("De gebruiker is geanonimiseerd. Het logboek is bewaard, met de nieuwe naam."), "success")
    return redirect(url_for("people.user", user_id=user_id))


def _now() -> datetime:
    return runtime().clock()
