"""The operators' console in the API, for administrators: suspend, resume, cancel, retry or skip a failed step,
and reassign a task, under /api/v1/instances/<id>/... Each answers with the instance as it now stands; a refusal
is 403 (not an administrator), 409 (it does not apply, or the instance changed since `version`) or 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields, validate

from ...domain.console import actions, steps
from ...domain.console.guard import MAX_REASON
from ...domain.console.listing import operator_status
from ...domain.errors import Conflict, InvalidInput
from ...domain.instances import list_open_tasks_of
from ...domain.texts import N_
from ...jobs.retry import retry_now
from ...jobs.timers import fire_one
from ...models import ProcessInstance
from ..failures import failed_steps_recorded
from ..messages import flatten_marshmallow
from ..runtime import runtime
from .auth import api_call
from .blueprint import api
from .schemas import InstanceSchema, TaskSchema


class OperatorActionSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON))
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "De versie van de instantie die u zag; een andere geeft 409 en er verandert niets"},
    )


class ReassignSchema(OperatorActionSchema):
    assignee = fields.Integer(required=True, metadata={"description": "Id van de persoon met de rol van de taak"})


class OperatorInstanceSchema(InstanceSchema):
    version = fields.Integer()
    operator_status = fields.Function(
        operator_status, metadata={"description": "lopend, gepauzeerd, afgerond of ingetrokken"}
    )
    suspended_at = fields.DateTime(allow_none=True)
    suspended_reason = fields.String(allow_none=True)


_ACTION, _REASSIGN = OperatorActionSchema(), ReassignSchema()
_INSTANCE, _TASKS = OperatorInstanceSchema(exclude=("open_tasks",)), TaskSchema(many=True)

SCHEMAS = {
    "OperatorAction": OperatorActionSchema,
    "Reassign": ReassignSchema,
    "OperatorInstance": OperatorInstanceSchema,
}
_REFUSALS = ("401", "403", "404", "409", "422")
OPERATIONS = [
    ("post", f"/api/v1/instances/{{id}}/{name}", summary, schema, "OperatorInstance", "200", _REFUSALS)
    for name, summary, schema in (
        ("suspend", "Beheer: een lopende instantie pauzeren (reden verplicht)", "OperatorAction"),
        ("resume", "Beheer: hervatten (reden verplicht); verstreken termijnen lopen dan af", "OperatorAction"),
        (
            "cancel",
            "Beheer: stoppen (reden verplicht); status ingetrokken, betrokkenen krijgen bericht",
            "OperatorAction",
        ),
        ("retry", "Beheer: de mislukte stap van een open storing nu opnieuw proberen", "OperatorAction"),
        ("skip", "Beheer: de mislukte stap overslaan zonder hem uit te voeren (reden verplicht)", "OperatorAction"),
    )
] + [
    (
        "post",
        "/api/v1/instances/{id}/tasks/{task_id}/reassign",
        "Beheer: een open taak toewijzen aan iemand met de rol van de taak in de regio",
        "Reassign",
        "OperatorInstance",
        "200",
        _REFUSALS,
    )
]


def _json_body(schema: Schema) -> dict[str, Any]:
    """The JSON object sent (an empty body counts as {}), checked by the schema; InvalidInput otherwise."""
    payload = request.get_json(silent=True) if request.data else {}
    if not isinstance(payload, dict):
        raise InvalidInput(N_("Stuur een JSON-object mee."), {"": N_("Verwacht een JSON-object.")})
    try:
        return schema.load(payload)
    except ValidationError as err:
        raise InvalidInput(N_("De aanvraag is niet goed ingevuld."), flatten_marshmallow(err.messages)) from err


def _answer(instance_id: int) -> dict[str, Any]:
    with api_call(write=False) as (session, _user):
        instance = session.get(ProcessInstance, instance_id)
        return _INSTANCE.dump(instance) | {"open_tasks": _TASKS.dump(list_open_tasks_of(session, instance_id))}


def _simple(instance_id: int, action: Callable[..., Any]) -> dict[str, Any]:
    with api_call(write=True) as (session, user):
        body = _json_body(_ACTION)
        action(
            session,
            user=user,
            instance_id=instance_id,
            reason=body["reason"],
            seen_version=body["version"],
            now=runtime().clock(),
        )
    return _answer(instance_id)


@api.post("/instances/<int:instance_id>/suspend")
def suspend_instance(instance_id: int) -> dict[str, Any]:
    return _simple(instance_id, actions.suspend_instance)


@api.post("/instances/<int:instance_id>/cancel")
def cancel_instance(instance_id: int) -> dict[str, Any]:
    return _simple(instance_id, actions.cancel_instance)


@api.post("/instances/<int:instance_id>/resume")
def resume_instance(instance_id: int) -> dict[str, Any]:
    answer = _simple(instance_id, actions.resume_instance)
    rt = runtime()
    if fire_one(rt, instance_id, rt.clock()):  # what fell due while it was paused fires now
        answer = _answer(instance_id)
    return answer


@api.post("/instances/<int:instance_id>/retry")
def retry_step(instance_id: int) -> dict[str, Any]:
    rt = runtime()
    now = rt.clock()
    with api_call(write=True) as (session, user):
        body = _json_body(_ACTION)
        ticket = steps.prepare_retry(
            session, user=user, instance_id=instance_id, reason=body["reason"], seen_version=body["version"], now=now
        )
    still_open = retry_now(rt, instance_id=instance_id, job=ticket.job, now=now)
    if still_open is not None:
        raise Conflict(f"Opnieuw geprobeerd, maar het lukte nog niet: {still_open.reason}", instance_id)
    return _answer(instance_id)


@api.post("/instances/<int:instance_id>/skip")
def skip_step(instance_id: int) -> dict[str, Any]:
    rt = runtime()
    with (
        failed_steps_recorded(),
        api_call(write=False) as (session, user),
        rt.db.write_on_demand(reader=session) as write,
    ):
        body = _json_body(_ACTION)
        steps.skip_failed_step(
            session,
            user=user,
            instance_id=instance_id,
            reason=body["reason"],
            seen_version=body["version"],
            now=rt.clock(),
            write=write,
        )
    return _answer(instance_id)


@api.post("/instances/<int:instance_id>/tasks/<int:task_id>/reassign")
def reassign_task(instance_id: int, task_id: int) -> dict[str, Any]:
    with api_call(write=True) as (session, user):
        body = _json_body(_REASSIGN)
        actions.reassign_task(
            session,
            user=user,
            instance_id=instance_id,
            task_id=task_id,
            assignee_id=body["assignee"],
            reason=body["reason"],
            seen_version=body["version"],
            now=runtime().clock(),
        )
    return _answer(instance_id)
