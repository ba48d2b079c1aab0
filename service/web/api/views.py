"""The REST API under /api/v1: parse the request, call one use case, serialize the result."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest

from ...domain import accounts, definitions, inbox, instances, tasks, withdrawal
from ...domain.errors import InvalidInput
from ...domain.texts import N_
from ..failures import failed_steps_recorded
from ..limits import JSONRefused, limiter
from ..messages import flatten_marshmallow
from ..runtime import runtime, utc_now
from . import console_views, definition_views, partner_views, request_views  # noqa: F401 (their routes join the blueprint)
from .auth import api_call, bearer_token
from .blueprint import api
from .paging import page_request, paged
from .schemas import (
    AuditEventSchema,
    CompleteTaskSchema,
    InstanceDetailSchema,
    InstanceSchema,
    ProcessSchema,
    StartInstanceSchema,
    TaskDetailSchema,
    TaskSchema,
    TokenRequestSchema,
    TokenSchema,
    WithdrawInstanceSchema,
)

# Schemas are built once: building one costs more than using it, and they hold no per-request state.
_TOKEN_REQUEST, _TOKEN, _START, _COMPLETE = (
    TokenRequestSchema(),
    TokenSchema(),
    StartInstanceSchema(),
    CompleteTaskSchema(),
)
_PROCESSES, _TASK, _TASKS = ProcessSchema(many=True), TaskSchema(), TaskSchema(many=True)
_INSTANCE = InstanceSchema(exclude=("open_tasks",))
_INSTANCE_DETAIL = InstanceDetailSchema(exclude=("open_tasks", "history"))
_TASK_DETAIL = TaskDetailSchema(exclude=("form_schema", "data"))
_HISTORY = AuditEventSchema(many=True)
_WITHDRAW = WithdrawInstanceSchema()


def _body(schema: Any) -> dict[str, Any]:
    if not request.is_json:
        raise InvalidInput(
            N_("Stuur een JSON-object mee."), {"": N_("Stuur de gegevens als JSON (Content-Type: application/json).")}
        )
    try:
        payload = request.get_json()
    except BadRequest as err:  # RequestEntityTooLarge is not caught here: it answers 413 itself
        refused = JSONRefused.found_in(err)
        if refused is None:
            raise InvalidInput(N_("Stuur een JSON-object mee."), {"": N_("Dit is geen geldige JSON.")}) from err
        raise InvalidInput(N_("Stuur een JSON-object mee."), {refused.field: refused.message}) from err
    if not isinstance(payload, dict):
        raise InvalidInput(N_("Stuur een JSON-object mee."), {"": N_("Verwacht een JSON-object.")})
    try:
        return schema.load(payload)
    except ValidationError as err:
        raise InvalidInput(N_("De aanvraag is niet goed ingevuld."), flatten_marshmallow(err.messages)) from err


def _instance_json(session: Any, instance: Any, open_tasks: list[Any] | None = None) -> dict[str, Any]:
    if open_tasks is None:
        open_tasks = instances.list_open_tasks_of(session, instance.id)
    return _INSTANCE.dump(instance) | {"open_tasks": _TASKS.dump(open_tasks)}


@api.post("/auth/token")
@limiter.limit(lambda: runtime().settings.login_rate_limit)
def create_token() -> tuple[dict[str, Any], int]:
    """Exchange email and password for a bearer token."""
    body = _body(_TOKEN_REQUEST)
    rt = runtime()
    with rt.transaction(write=False) as session:  # argon2 takes a while: not while holding the write lock
        user_id = accounts.authenticate(session, email=body["email"], password=body["password"]).id
    with rt.transaction(write=True) as session:
        token = accounts.start_api_session(
            session,
            user_id=user_id,
            secret_key=rt.settings.secret_key,
            now=utc_now(),  # the token's expiry is checked on the wall clock; its row follows the same clock
            max_age=rt.settings.token_max_age_seconds,
        )
    return _TOKEN.dump({"token": token, "expires_in": rt.settings.token_max_age_seconds}), 200


@api.post("/auth/sign-out")
def sign_out() -> tuple[str, int]:
    """Sign out: this token (and any copy of it) no longer opens the API."""
    token, rt = bearer_token(), runtime()
    with rt.transaction(write=True) as session:
        accounts.end_token(
            session, token, secret_key=rt.settings.secret_key, max_age=rt.settings.token_max_age_seconds, now=rt.clock()
        )
    return "", 204


@api.get("/processes")
def list_processes() -> dict[str, Any]:
    with api_call(write=False) as (session, _user):
        asked = page_request()  # after the token: without one, a 401 says what is wrong first
        found, total = definitions.slice_latest_definitions(session, limit=asked.limit, offset=asked.offset)
        return paged("processes", _PROCESSES.dump(found), total, asked)


@api.post("/processes/<key>/instances")
def start_instance(key: str) -> tuple[dict[str, Any], int]:
    with api_call(write=False) as (session, user), runtime().db.write_on_demand(reader=session) as write:
        body = _body(_START)
        instance = instances.start_instance(
            session,
            user=user,
            process_key=key,
            region_code=body["region"],
            data=body["data"],
            now=runtime().clock(),
            forms=runtime().forms,
            write=write,
        )
        return _instance_json(write(), instance), 201


@api.get("/instances/<int:instance_id>")
def get_instance(instance_id: int) -> dict[str, Any]:
    with api_call(write=False) as (session, user):
        view = instances.describe_instance(session, user=user, instance_id=instance_id)
        return _INSTANCE_DETAIL.dump(view.instance) | {
            "open_tasks": _TASKS.dump(view.open_tasks),
            "history": _HISTORY.dump(view.history),
        }


@api.post("/instances/<int:instance_id>/withdraw")
def withdraw_instance(instance_id: int) -> dict[str, Any]:
    with api_call(write=True) as (session, user):
        body = _body(_WITHDRAW)
        instance = withdrawal.withdraw_instance(
            session, user=user, instance_id=instance_id, reason=body["reason"], now=runtime().clock()
        )
        return _instance_json(session, instance, [])


@api.get("/tasks")
def list_tasks() -> dict[str, Any]:
    region = request.args.get("region") or None
    with api_call(write=False) as (session, user):
        asked = page_request()
        found = inbox.slice_open_tasks(session, user=user, region_code=region, limit=asked.limit, offset=asked.offset)
        return paged("tasks", _TASKS.dump(found.tasks), found.total, asked, **({"region": region} if region else {}))


@api.get("/tasks/<int:task_id>")
def get_task(task_id: int) -> dict[str, Any]:
    with api_call(write=False) as (session, user):
        view = tasks.describe_task(session, runtime().forms, user=user, task_id=task_id)
        return _TASK_DETAIL.dump(view.task) | {
            "form_schema": view.form_schema,
            "data": view.data,
        }


@api.post("/tasks/<int:task_id>/claim")
def claim_task(task_id: int) -> dict[str, Any]:
    with api_call(write=True) as (session, user):
        return _TASK.dump(tasks.claim_task(session, user=user, task_id=task_id, now=runtime().clock()))


@api.post("/tasks/<int:task_id>/unclaim")
def unclaim_task(task_id: int) -> dict[str, Any]:
    with api_call(write=True) as (session, user):
        return _TASK.dump(tasks.unclaim_task(session, user=user, task_id=task_id, now=runtime().clock()))


@api.post("/tasks/<int:task_id>/complete")
def complete_task(task_id: int) -> dict[str, Any]:
    with (
        failed_steps_recorded(),
        api_call(write=False) as (session, user),
        runtime().db.write_on_demand(reader=session) as write,
    ):
        body = _body(_COMPLETE)
        result = tasks.complete_task(
            session, runtime().forms, user=user, task_id=task_id, data=body["data"], now=runtime().clock(), write=write
        )
        return _instance_json(session, result.instance, result.open_tasks)
