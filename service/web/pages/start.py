"""'Nieuw verzoek': start a process in one of my regions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from ...domain import instances as instance_cases
from ...domain.accounts import roles_by_region
from ...domain.definitions import list_latest_definitions, parsed_process
from ...domain.inbox import actionable_tasks
from ...models import HumanTask
from ..runtime import runtime
from ..session_auth import page_call

start = Blueprint("start", __name__)


@start.get("/nieuw")
def choose() -> str:
    with page_call(write=False) as (session, user):
        roles = roles_by_region(user)
        choices = []
        for definition in list_latest_definitions(session):
            starters = parsed_process(definition).start_roles
            regions = sorted(code for code, held in roles.items() if not starters or held & set(starters))
            choices.append((definition, starters, regions))
        return render_template("start.html", choices=choices)


@start.post("/nieuw")
def submit() -> Response:
    process_key = request.form.get("proces", "")
    region = request.form.get("regio", "")
    with page_call(write=False) as (session, user), runtime().db.write_on_demand(reader=session) as write:
        instance = instance_cases.start_instance(
            session, user=user, process_key=process_key, region_code=region, data={}, now=runtime().clock(), write=write
        )
        mine = write().scalar(
            select(HumanTask.id).where(HumanTask.instance_id == instance.id, actionable_tasks(user, region))
        )
        instance_id = instance.id
    flash(_("Het verzoek is gestart."), "success")
    if mine is not None:
        return redirect(url_for("tasks.show", task_id=mine))
    return redirect(url_for("instances.show", instance_id=instance_id))
