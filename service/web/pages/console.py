"""The operators' console (/beheer/processen): administrators list every instance and, on its operator page,
retry or skip a failed step, cancel, suspend, resume and reassign; each action a POST form with CSRF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain.console import actions, detail, listing, steps
from ...domain.errors import Conflict, InvalidInput, ProcessFailed
from ...jobs.retry import retry_now
from ...jobs.timers import fire_one
from ..diagram import diagram_view
from ..failures import failed_steps_recorded
from ..history import engine_step_rows, submitted_steps
from ..messages import translate, translate_fields
from ..runtime import runtime
from ..session_auth import page_call

console = Blueprint("console", __name__)


def status_labels() -> dict[str, str]:
    return {
        "lopend": _("lopend"),
        "gepauzeerd": _("gepauzeerd"),
        "afgerond": _("afgerond"),
        "ingetrokken": _("ingetrokken (gestopt)"),
    }


@console.get("/beheer/processen")
def index() -> str | tuple[str, int]:
    errors: dict[str, str] = {}
    with page_call(write=False) as (session, user):
        try:
            wanted = listing.read_filter(request.args.to_dict())
        except InvalidInput as err:
            errors, wanted = translate_fields(err.fields), listing.ConsoleFilter()
        result = listing.list_instances(session, user=user, wanted=wanted)
        given = {k: v for k, v in request.args.items() if k != "pagina" and v}
        page = render_template(
            "console_list.html", result=result, wanted=wanted, errors=errors, statuses=status_labels(), given=given
        )
        return (page, 422) if errors else page


@console.get("/beheer/processen/<int:instance_id>")
def show(instance_id: int) -> str:
    return _render(instance_id)


def _render(instance_id: int, *, form: str = "", errors: dict[str, str] | None = None, problem: str = "") -> str:
    rt = runtime()
    with page_call(write=False) as (session, user):
        view = detail.describe_for_operator(session, user=user, instance_id=instance_id)
        open_tasks = [waiting.task for waiting in view.tasks]
        return render_template(
            "console_instance.html",
            view=view,
            instance=view.instance,
            history=view.history,
            steps={step.task_id: step for step in submitted_steps(session, rt.forms, view.history)},
            engine_rows=engine_step_rows(session, rt.forms, view.instance, view.history),
            diagram=diagram_view(view.instance, view.history, open_tasks),
            statuses=status_labels(),
            now=rt.clock(),
            form=form,
            errors=errors or {},
            problem=problem,
            values=request.form if request.method == "POST" else {},
        )


def _act(instance_id: int, form: str, action: Callable[[], str]) -> Response | tuple[str, int]:
    """Run one action; a refusal shows the operator page again with the Dutch reason (nothing was changed)."""
    try:
        message = action()
    except InvalidInput as err:
        return _render(instance_id, form=form, errors=translate_fields(err.fields), problem=translate(err.message)), 422
    except Conflict as err:
        return _render(instance_id, form=form, problem=err.message), 409
    except ProcessFailed as err:
        return _render(instance_id, form=form, problem=err.message), 422
    flash(message, "success")
    return redirect(url_for("console.show", instance_id=instance_id))


def _fields() -> dict[str, Any]:
    return {"reason": request.form.get("reason", ""), "seen_version": request.form.get("version")}


@console.post("/beheer/processen/<int:instance_id>/pauzeren")
def suspend(instance_id: int) -> Response | tuple[str, int]:
    def run() -> str:
        with page_call(write=True) as (session, user):
            actions.suspend_instance(session, user=user, instance_id=instance_id, now=runtime().clock(), **_fields())
        return _("Het verzoek is gepauzeerd: er kan geen taak worden afgerond en er loopt geen termijn af.")

    return _act(instance_id, "pauzeren", run)


@console.post("/beheer/processen/<int:instance_id>/hervatten")
def resume(instance_id: int) -> Response | tuple[str, int]:
    def run() -> str:
        rt = runtime()
        now = rt.clock()
        with page_call(write=True) as (session, user):
            actions.resume_instance(session, user=user, instance_id=instance_id, now=now, **_fields())
        fired = fire_one(rt, instance_id, now)  # what fell due while it was paused fires now
        if fired:
            return _("Het verzoek loopt weer; %(n)s termijn(en) die intussen verstreken, zijn nu afgehandeld.", n=fired)
        return _("Het verzoek loopt weer.")

    return _act(instance_id, "hervatten", run)


@console.post("/beheer/processen/<int:instance_id>/stoppen")
def cancel(instance_id: int) -> Response | tuple[str, int]:
    def run() -> str:
        with page_call(write=True) as (session, user):
            actions.cancel_instance(session, user=user, instance_id=instance_id, now=runtime().clock(), **_fields())
        return _("Het verzoek is stopgezet (ingetrokken). Wie erbij betrokken was, krijgt bericht.")

    return _act(instance_id, "stoppen", run)


@console.post("/beheer/processen/<int:instance_id>/opnieuw")
def retry(instance_id: int) -> Response | tuple[str, int]:
    def run() -> str:
        rt = runtime()
        now = rt.clock()
        with page_call(write=True) as (session, user):
            ticket = steps.prepare_retry(session, user=user, instance_id=instance_id, now=now, **_fields())
        still_open = retry_now(rt, instance_id=instance_id, job=ticket.job, now=now)
        if still_open is not None:
            raise Conflict(_("Opnieuw geprobeerd, maar het lukte nog niet: %(reason)s", reason=still_open.reason))
        return _("Gelukt: de stap is opnieuw uitgevoerd en het verzoek loopt weer.")

    return _act(instance_id, "opnieuw", run)


@console.post("/beheer/processen/<int:instance_id>/overslaan")
def skip(instance_id: int) -> Response | tuple[str, int]:
    def run() -> str:
        rt = runtime()
        with (
            failed_steps_recorded(),
            page_call(write=False) as (session, user),
            rt.db.write_on_demand(reader=session) as write,
        ):
            steps.skip_failed_step(
                session, user=user, instance_id=instance_id, now=rt.clock(), write=write, **_fields()
            )
        return _("De mislukte stap is overgeslagen; het verzoek is verder gegaan.")

    return _act(instance_id, "overslaan", run)


@console.post("/beheer/processen/<int:instance_id>/taken/<int:task_id>/toewijzen")
def reassign(instance_id: int, task_id: int) -> Response | tuple[str, int]:
    def run() -> str:
        with page_call(write=True) as (session, user):
            task = actions.reassign_task(
                session,
                user=user,
                instance_id=instance_id,
                task_id=task_id,
                assignee_id=request.form.get("assignee", ""),
                now=runtime().clock(),
                **_fields(),
            )
            name = task.assignee.name if task.assignee else ""
        return _("De taak is toegewezen aan %(name)s; die krijgt er bericht van.", name=name)

    return _act(instance_id, f"toewijzen-{task_id}", run)
