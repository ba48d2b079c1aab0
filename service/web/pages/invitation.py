"""The page a new partner's contact opens from the personal link in their mail: no account, the link is the key.
They read what they accept and accept it once; an altered, used, replaced or expired link gets a Dutch page that
says why, and changes nothing."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from ...domain import accounts, invitations
from ...domain.errors import Conflict, InvalidInput, ProcessFailed
from ...domain.tasks import complete_task_on_behalf
from ...models import User
from ..failures import failed_steps_recorded
from ..messages import translate, translate_fields
from ..runtime import runtime

invitation = Blueprint("invitation", __name__)


def _refused(reason: str, status: int) -> tuple[str, int]:
    return render_template("invitation_refused.html", reason=reason), status


@invitation.get("/uitnodiging/<token>")
def show(token: str) -> str | tuple[str, int]:
    rt = runtime()
    with rt.transaction(write=False) as session:
        try:
            view = invitations.open_link(session, token, now=rt.clock())
        except invitations.LinkRefused as err:
            return _refused(translate(err.reason), err.status)
    return render_template("invitation.html", view=view, token=token, values={}, errors={})


@invitation.post("/uitnodiging/<token>")
def accept(token: str) -> str | tuple[str, int]:
    rt = runtime()
    form = request.form
    acceptance = invitations.Acceptance(
        name=form.get("naam", ""), role=form.get("functie", ""), agreed=form.get("akkoord") == "ja"
    )
    now = rt.clock()
    with rt.transaction(write=True) as session:  # steps taken on someone's behalf are recorded under this account
        system_id = accounts.system_user(session, now=now).id
    view = None
    try:
        with (
            failed_steps_recorded(),
            rt.transaction(write=False) as session,
            rt.db.write_on_demand(reader=session) as write,
        ):
            view = invitations.open_link(session, token, now=now)
            data = invitations.acceptance_data(acceptance, now=now)
            system = session.get(User, system_id)
            assert system is not None
            complete_task_on_behalf(
                session,
                instance_id=view.instance_id,
                spec_name=invitations.SIGN_TASK,
                data=data,
                actor=system,
                now=now,
                write=write,
                before_write=lambda writing: invitations.record_acceptance(writing, view, acceptance, now=now),
            )
    except invitations.LinkRefused as err:
        return _refused(translate(err.reason), err.status)
    except InvalidInput as err:  # nothing was saved: the link still works
        values = {"naam": acceptance.name, "functie": acceptance.role, "akkoord": acceptance.agreed}
        return render_template(
            "invitation.html", view=view, token=token, values=values, errors=translate_fields(err.fields)
        ), 422
    except Conflict:
        return _refused(
            _("Deze link is al gebruikt of de aanmelding staat niet meer open. Er is niets gewijzigd."), 409
        )
    except ProcessFailed as err:
        return _refused(translate(err.message), 422)
    return render_template("invitation_done.html", view=view)
