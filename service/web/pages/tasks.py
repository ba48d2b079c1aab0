"""The task page: the form drawn from its JSON Schema, earlier steps read-only, claim and release."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import tasks as task_cases
from ...domain.attachments import store_attachment
from ...domain.errors import InvalidInput
from ...domain.forms import schema_for_region
from ..failures import failed_steps_recorded
from ..form_html import build_fields, input_problems, parse_submission, uploaded_files
from ..history import instance_steps
from ..messages import translate, translate_fields
from ..runtime import runtime
from ..session_auth import page_call
from .auth import safe_next

tasks = Blueprint("tasks", __name__)


def _render(task_id: int, *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> str:
    rt = runtime()
    with page_call(write=False) as (session, user):
        view = task_cases.describe_task(session, rt.forms, user=user, task_id=task_id)
        task = view.task
        ui = rt.forms.for_task(task, task.ui_form_key) if task.ui_form_key else {}
        fields = build_fields(
            view.form_schema or {"properties": {}}, ui, values if values is not None else view.data, errors
        )
        return render_template(
            "task.html",
            task=task,
            fields=fields,
            errors=errors or {},
            steps=instance_steps(session, rt.forms, task.instance_id),
            may_act=task_cases.may_user_act(user, task),
            warning=task_cases.warning_for_deciders(view),
            has_files=any(f.kind == "file" for f in fields),
        )


@tasks.get("/taken/<int:task_id>")
def show(task_id: int) -> str:
    return _render(task_id)


@tasks.post("/taken/<int:task_id>")
def submit(task_id: int) -> Response | tuple[str, int]:
    rt = runtime()
    raw: dict[str, Any] = {}
    schema: dict[str, Any] = {}
    ui: dict[str, Any] = {}
    # Uploads are stored in the step's own transaction (so a refused step keeps none of them), which then has to
    # be open before the engine runs; without uploads the engine runs before any write lock is taken.
    uploading = any(upload.filename for upload in request.files.values())
    try:
        with (
            failed_steps_recorded(),
            page_call(write=uploading) as (session, user),
            rt.db.write_on_demand(reader=None if uploading else session) as write,
        ):
            task = task_cases.get_task(session, user=user, task_id=task_id)
            schema = (
                schema_for_region(session, rt.forms.for_task(task, task.form_key), task.region_code)
                if task.form_key
                else {}
            )
            ui = rt.forms.for_task(task, task.ui_form_key) if task.ui_form_key else {}
            data, raw = parse_submission(schema, ui, request.form)
            for name, upload in uploaded_files(schema, ui, request.files).items():
                data[name] = store_attachment(
                    session,
                    user=user,
                    task=task,
                    field=name,
                    filename=upload.filename or "",
                    content_type=upload.mimetype,
                    content=upload.read(rt.settings.max_upload_bytes + 1),
                    max_bytes=rt.settings.max_upload_bytes,
                    now=rt.clock(),
                )
            result = task_cases.complete_task(
                session,
                rt.forms,
                user=user,
                task_id=task_id,
                data=data,
                now=rt.clock(),
                write=None if uploading else write,
            )
            instance_id = result.instance.id
    except InvalidInput as err:  # the transaction rolled back: nothing (no upload either) was saved
        # A number or date we could not read was passed on as text (so validation refused it); say how to write it.
        fields = translate_fields(dict(err.fields) | input_problems(schema, ui, raw))
        if not fields:
            fields[""] = translate(err.message)
        return _render(task_id, values=raw, errors=fields), 422
    flash(_("Taak afgerond. Dank u wel."), "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


@tasks.post("/taken/<int:task_id>/oppakken")
def claim(task_id: int) -> Response:
    with page_call(write=True) as (session, user):
        task_cases.claim_task(session, user=user, task_id=task_id, now=runtime().clock())
    flash(_("U heeft de taak opgepakt; anderen zien haar niet meer in hun lijst."), "success")
    return redirect(safe_next(request.form.get("next") or url_for("tasks.show", task_id=task_id)))


@tasks.post("/taken/<int:task_id>/vrijgeven")
def unclaim(task_id: int) -> Response:
    with page_call(write=True) as (session, user):
        task_cases.unclaim_task(session, user=user, task_id=task_id, now=runtime().clock())
    flash(_("De taak is vrijgegeven voor iedereen met deze rol."), "success")
    return redirect(safe_next(request.form.get("next") or url_for("tasks.show", task_id=task_id)))
