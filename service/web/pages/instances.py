"""The instance page: status, current tasks and who holds them, the audit trail, files and the diagram."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ...domain import incidents as incident_cases
from ...domain import instances as instance_cases
from ...domain import withdrawal
from ...domain.attachments import get_attachment, list_attachments
from ...domain.errors import InvalidInput
from ...domain.statuses import request_status
from ..diagram import diagram_view
from ..downloads import file_download
from ..history import engine_step_rows, submitted_steps
from ..messages import translate_fields
from ..runtime import runtime
from ..session_auth import page_call

instances = Blueprint("instances", __name__)


def status_labels() -> dict[str, str]:
    """Where a request stands, in the user's language."""
    return {
        "lopend": _("loopt"),
        "gepauzeerd": _("gepauzeerd"),
        "goedgekeurd": _("goedgekeurd"),
        "afgewezen": _("afgewezen"),
        "ingetrokken": _("ingetrokken"),
        "afgerond": _("afgerond"),
    }


@instances.get("/verzoeken/<int:instance_id>")
def show(instance_id: int) -> str:
    return _render(instance_id)


def _render(instance_id: int, *, reason: str = "", errors: dict[str, str] | None = None) -> str:
    rt = runtime()
    with page_call(write=False) as (session, user):
        view = instance_cases.describe_instance(session, user=user, instance_id=instance_id)
        steps = {step.task_id: step for step in submitted_steps(session, rt.forms, view.history)}
        return render_template(
            "instance.html",
            instance=view.instance,
            open_tasks=view.open_tasks,
            history=view.history,
            steps=steps,
            engine_rows=engine_step_rows(session, rt.forms, view.instance, view.history),
            files=list_attachments(session, instance_id),
            diagram=diagram_view(view.instance, view.history, view.open_tasks),
            now=rt.clock(),
            incidents=incident_cases.list_open_for_instance(session, instance_id=view.instance.id),
            may_withdraw=withdrawal.may_withdraw(user, view.instance),
            status=request_status(view.instance),
            status_labels=status_labels(),
            withdraw_reason=reason,
            withdraw_errors=errors or {},
        )


@instances.post("/verzoeken/<int:instance_id>/intrekken")
def withdraw(instance_id: int) -> BaseResponse | tuple[str, int]:
    reason = request.form.get("reason", "")
    try:
        with page_call(write=True) as (session, user):
            withdrawal.withdraw_instance(
                session, user=user, instance_id=instance_id, reason=reason, now=runtime().clock()
            )
    except InvalidInput as err:  # rolled back: the request still runs
        return _render(instance_id, reason=reason, errors=translate_fields(err.fields)), 422
    flash(_("Het verzoek is ingetrokken. Wie erbij betrokken was, krijgt bericht."), "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


@instances.get("/bijlagen/<int:attachment_id>")
def download(attachment_id: int) -> Response:
    with page_call(write=False) as (session, user):
        attachment = get_attachment(session, user=user, attachment_id=attachment_id)
        return file_download(attachment.content, attachment.filename, fallback="bijlage")
