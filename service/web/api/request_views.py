"""GET /api/v1/requests: the 'Verzoeken' list of the web pages as JSON, with the same filters, search, sorting and
pages. Region-scoped: requests of regions where the caller holds no role never appear (administrators see all)."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, fields

from ...domain import request_lists
from ...domain.request_lists import RequestFilter, RequestRow
from ..runtime import runtime
from .auth import api_call
from .blueprint import api
from .paging import page_request, paged

FILTER_PARAMETERS = ("scope", "process", "region", "status", "q", "sort")


class RequestStepSchema(Schema):
    name = fields.String()
    role = fields.String(allow_none=True, metadata={"description": "De rol (lane); null: de aanvrager zelf"})
    assignee = fields.String(
        attribute="holder", allow_none=True, metadata={"description": "Wie de taak heeft opgepakt (naam)"}
    )
    due = fields.DateTime(attribute="due_at", allow_none=True)


class RequestSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    process = fields.String(attribute="process_key")
    process_name = fields.String()
    region = fields.String(attribute="region_code")
    region_name = fields.String()
    status = fields.String(
        metadata={"description": "Hoe het verzoek ervoor staat", "enum": list(request_lists.STATUSES)}
    )
    current_steps = fields.List(fields.Nested(RequestStepSchema), attribute="steps")
    due = fields.DateTime(attribute="due_at", allow_none=True, metadata={"description": "Vroegste uiterlijke datum"})
    overdue = fields.Boolean(metadata={"description": "De vroegste uiterlijke datum is voorbij"})
    amount = fields.Decimal(
        places=2, as_string=True, allow_none=True, metadata={"description": "Het bedrag (gegevens `bedrag`)"}
    )
    started_at = fields.DateTime()


_REQUESTS = RequestSchema(many=True)


def _json(rows: list[RequestRow]) -> list[dict[str, Any]]:
    now = runtime().clock()
    return [item | {"overdue": row.overdue(now)} for row, item in zip(rows, _REQUESTS.dump(rows), strict=True)]


@api.get("/requests")
def list_requests() -> dict[str, Any]:
    given = {name: request.args[name] for name in FILTER_PARAMETERS if request.args.get(name)}
    wanted = RequestFilter(**{"scope": "mine", "sort": request_lists.SORTS[0]} | given)
    with api_call(write=False) as (session, user):
        asked = page_request()
        found = request_lists.list_requests(
            session, user=user, wanted=wanted, page=asked.page, per_page=asked.limit, clamp=False
        )
        return paged("requests", _json(found.rows), found.total, asked, **given)
