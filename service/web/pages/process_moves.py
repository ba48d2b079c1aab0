"""Moving running requests to another version of their process: choose the version, see per request whether it
can move and why not (a dry run that changes nothing), tick the ones to move, move them."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain import instance_moves
from ...domain.definitions import catalogue
from ...domain.errors import InvalidInput
from ..runtime import runtime
from ..session_auth import page_call

process_moves = Blueprint("process_moves", __name__, url_prefix="/procesbeheer")


def _render(key: str, target_version: int | None, outcomes: list[instance_moves.MoveOutcome] | None = None) -> str:
    with page_call(write=False) as (session, user):
        entry = catalogue.get_catalogue_entry(session, user=user, process_key=key)
        targets = [row.definition for row in entry.versions]
        target = next((d for d in targets if d.version == target_version), None)
        if target is None and targets:
            target = entry.current or targets[0]
        candidates = (
            instance_moves.check_moves(session, user=user, to_definition_id=target.id) if target is not None else []
        )
        return render_template(
            "process_moves.html", entry=entry, targets=targets, target=target, candidates=candidates, outcomes=outcomes
        )


@process_moves.get("/<key>/verplaatsen")
def choose(key: str) -> str:
    return _render(key, request.args.get("naar", type=int))


@process_moves.post("/<key>/verplaatsen")
def move(key: str) -> Response | tuple[str, int]:
    target_version = request.form.get("naar", type=int)
    chosen = [int(v) for v in request.form.getlist("instance") if v.isdigit()]
    try:
        with page_call(write=True) as (session, user):
            target = catalogue.get_version(session, user=user, process_key=key, version=target_version or 0)
            outcomes = instance_moves.move_instances(
                session, user=user, to_definition_id=target.id, instance_ids=chosen, now=runtime().clock()
            )
    except InvalidInput as err:
        flash(err.message, "error")
        return redirect(url_for("process_moves.choose", key=key, naar=target_version))
    moved = sum(1 for o in outcomes if o.moved)
    flash(_("%(moved)s van %(chosen)s verzoeken verplaatst.", moved=moved, chosen=len(outcomes)), "success")
    return _render(key, target_version, outcomes), 200
