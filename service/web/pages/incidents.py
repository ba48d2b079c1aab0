"""Storingen: what the background jobs could not handle, for administrators (and a region's coordinators),
with a button that tries an item again at once."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import incidents as incident_cases
from ...jobs.retry import retry_now
from ..runtime import runtime
from ..session_auth import page_call

incidents = Blueprint("incidents", __name__)


@incidents.get("/beheer/storingen")
def index() -> str:
    with page_call(write=False) as (session, user):
        rows = incident_cases.list_open(session, user=user)
        return render_template("incidents.html", incidents=rows)


@incidents.post("/beheer/storingen/<int:incident_id>/opnieuw")
def retry(incident_id: int) -> Response:
    rt = runtime()
    now = rt.clock()
    with page_call(write=True) as (session, user):
        incident = incident_cases.make_due_now(session, user=user, incident_id=incident_id, now=now)
        instance_id, job = incident.instance_id, incident.job
    still_open = retry_now(rt, instance_id=instance_id, job=job, now=now)
    if still_open is None:
        flash(_("Gelukt: verzoek %(id)s loopt weer.", id=instance_id), "success")
    else:
        flash(_("Opnieuw geprobeerd, maar het lukte nog niet: %(reason)s", reason=still_open.reason), "error")
    return redirect(url_for("incidents.index"))
