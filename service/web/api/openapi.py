"""The OpenAPI document, built from the marshmallow schemas, and a docs page that reads it."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, render_template

from ...domain import request_lists
from ...domain.partners import MAX_NAME
from ...domain.vmbo import LEERWEGEN, PARTNER_KINDS, PROFIELEN, STATUSES
from . import console_views, definition_schemas, partner_schemas, request_views, schemas
from .paging import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE

docs = Blueprint("api_docs", __name__)

_ERRORS = {
    "401": "Geen of ongeldig token",
    "403": "U bent lid van de regio maar mag dit niet",
    "404": "Bestaat niet, of hoort bij een regio waar u geen lid van bent",
    "409": "De taak staat niet meer open (iemand anders was eerder)",
    "422": "Ongeldige invoer; per veld een melding onder `fields`",
}

_FILE = "file"  # the answer is the file itself, not JSON
_MULTIPART = "multipart"  # the request is multipart/form-data: files (one or more), region, note

# (method, path, summary, request schema, response schema, success status, error statuses)
_OPERATIONS: list[tuple[str, str, str, str | None, str | None, str, tuple[str, ...]]] = [
    (
        "post",
        "/api/v1/auth/token",
        "Token aanvragen met e-mailadres en wachtwoord",
        "TokenRequest",
        "Token",
        "200",
        ("401", "422"),
    ),
    (
        "post",
        "/api/v1/auth/sign-out",
        "Afmelden: dit token (en elke kopie) werkt daarna niet meer",
        None,
        None,
        "204",
        ("401",),
    ),
    ("get", "/api/v1/processes", "Processen die u kunt starten", None, "ProcessList", "200", ("401", "422")),
    (
        "post",
        "/api/v1/processes/{key}/instances",
        "Een proces starten in een van uw regio's",
        "StartInstance",
        "Instance",
        "201",
        ("401", "403", "404", "422"),
    ),
    (
        "get",
        "/api/v1/instances/{id}",
        "Een procesinstantie met open taken en geschiedenis",
        None,
        "InstanceDetail",
        "200",
        ("401", "404"),
    ),
    (
        "post",
        "/api/v1/instances/{id}/withdraw",
        "Een lopend verzoek intrekken met een reden: open taken vervallen, betrokkenen krijgen bericht",
        "WithdrawInstance",
        "Instance",
        "200",
        ("401", "403", "404", "409", "422"),
    ),
    (
        "get",
        "/api/v1/tasks",
        "Open taken die u mag oppakken of afronden, in de volgorde van het takenoverzicht (te laat eerst)",
        None,
        "TaskList",
        "200",
        ("401", "422"),
    ),
    (
        "get",
        "/api/v1/tasks/{id}",
        "Een taak met formulier (JSON Schema) en eerdere gegevens",
        None,
        "TaskDetail",
        "200",
        ("401", "404"),
    ),
    ("post", "/api/v1/tasks/{id}/claim", "Een taak oppakken", None, "Task", "200", ("401", "403", "404", "409")),
    (
        "post",
        "/api/v1/tasks/{id}/unclaim",
        "Een opgepakte taak vrijgeven",
        None,
        "Task",
        "200",
        ("401", "403", "404", "409"),
    ),
    (
        "post",
        "/api/v1/tasks/{id}/complete",
        "Een taak afronden met de formuliergegevens",
        "CompleteTask",
        "Instance",
        "200",
        ("401", "403", "404", "409", "422"),
    ),
    (
        "get",
        "/api/v1/definitions",
        "Procesbeheer: alle processen met hun versies (wie, wanneer, waarom, hoeveel lopende instanties)",
        None,
        "DefinitionList",
        "200",
        ("401", "403"),
    ),
    (
        "post",
        "/api/v1/definitions",
        "Procesbeheer: bestanden (.bpmn, .dmn, .json) in gebruik nemen als nieuwe versies; bij 422 staat er per "
        "bestand en element wat er mis is onder `errors`, en is niets in gebruik genomen",
        _MULTIPART,
        "DeployResult",
        "201",
        ("401", "403", "404", "422"),
    ),
    (
        "get",
        "/api/v1/definitions/{key}/versions/{version}",
        "Procesbeheer: één versie van een proces",
        None,
        "DefinitionVersion",
        "200",
        ("401", "403", "404"),
    ),
    (
        "get",
        "/api/v1/definitions/{key}/versions/{version}/files/{name}",
        "Procesbeheer: een bestand van een versie downloaden",
        None,
        _FILE,
        "200",
        ("401", "403", "404"),
    ),
    (
        "post",
        "/api/v1/definitions/{key}/versions/{version}/rollback",
        "Procesbeheer: een eerdere versie opnieuw in gebruik nemen, als nieuwe versie",
        None,
        "DefinitionVersion",
        "201",
        ("401", "403", "404", "422"),
    ),
    (
        "get",
        "/api/v1/requests",
        "Verzoeken terugvinden: die u startte of waarin u een stap zette (scope=mine), of alle verzoeken van uw "
        "regio's (scope=all); te filteren, te doorzoeken en te sorteren",
        None,
        "RequestList",
        "200",
        ("401", "422"),
    ),
    (
        "get",
        "/api/v1/regions/{code}/partners",
        "De partners van een regio (actief, dan kandidaat, dan vertrokken; op naam), te filteren",
        None,
        "PartnerList",
        "200",
        ("401", "404", "422"),
    ),
    (
        "get",
        "/api/v1/regions/{code}/partners/{id}",
        "Een partner met contactpersonen, activiteiten, documenten en geschiedenis",
        None,
        "PartnerDetail",
        "200",
        ("401", "404"),
    ),
    (
        "get",
        "/api/v1/regions/{code}/partners/{id}/documents/{document_id}",
        "Een ondertekend document van een partner downloaden, onder de oorspronkelijke bestandsnaam",
        None,
        _FILE,
        "200",
        ("401", "404"),
    ),
]


class _Page(schemas.Schema):
    total = schemas.fields.Integer(required=True, metadata={"description": "Aantal in de hele lijst"})
    page = schemas.fields.Integer(required=True, metadata={"description": "Deze pagina (vanaf 1)"})
    limit = schemas.fields.Integer(required=True, metadata={"description": "Hoogstens zoveel per pagina"})
    pages = schemas.fields.Integer(required=True, metadata={"description": "Aantal pagina's (minstens 1)"})
    next = schemas.fields.String(
        required=True, allow_none=True, metadata={"description": "Adres van de volgende pagina; null op de laatste"}
    )


class _ProcessList(_Page):
    processes = schemas.fields.List(schemas.fields.Nested(schemas.ProcessSchema))


class _TaskList(_Page):
    tasks = schemas.fields.List(schemas.fields.Nested(schemas.TaskSchema))


class _PartnerList(_Page):
    partners = schemas.fields.List(schemas.fields.Nested(partner_schemas.PartnerSchema))


class _RequestList(_Page):
    requests = schemas.fields.List(schemas.fields.Nested(request_views.RequestSchema))


# Every list takes the same two query parameters (service/web/api/paging.py reads them).
_PAGING_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Hoogstens zoveel per pagina: 1 tot en met {MAX_LIMIT}, standaard {DEFAULT_LIMIT}",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Welke pagina, vanaf 1; een pagina na de laatste is leeg",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
]
_EXTRA_PARAMETERS = {
    "/api/v1/processes": _PAGING_PARAMETERS,
    "/api/v1/tasks": [
        {
            "name": "region",
            "in": "query",
            "required": False,
            "description": "Alleen deze regio (code)",
            "schema": {"type": "string"},
        },
        *_PAGING_PARAMETERS,
    ],
    "/api/v1/requests": [
        {
            "name": "scope",
            "in": "query",
            "required": False,
            "description": "mine: die u startte of waarin u een stap zette; all: alle verzoeken van uw regio's",
            "schema": {"type": "string", "enum": list(request_lists.SCOPES), "default": "mine"},
        },
        {
            "name": "process",
            "in": "query",
            "required": False,
            "description": "Alleen dit proces (sleutel); een onbekend proces geeft 422",
            "schema": {"type": "string"},
        },
        {
            "name": "region",
            "in": "query",
            "required": False,
            "description": "Alleen deze regio (code); een regio buiten de uwe geeft 422",
            "schema": {"type": "string"},
        },
        {
            "name": "status",
            "in": "query",
            "required": False,
            "description": "Alleen verzoeken met deze status",
            "schema": {"type": "string", "enum": list(request_lists.STATUSES)},
        },
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": "Zoek in titel en omschrijving (hoofdletters maken niet uit)",
            "schema": {"type": "string", "maxLength": request_lists.MAX_QUERY},
        },
        {
            "name": "sort",
            "in": "query",
            "required": False,
            "description": "started (gestart), due (vroegste uiterlijke datum) of title; met een - ervoor aflopend",
            "schema": {"type": "string", "enum": list(request_lists.SORTS), "default": request_lists.SORTS[0]},
        },
        *_PAGING_PARAMETERS,
    ],
    "/api/v1/regions/{code}/partners": [
        *(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": f"Alleen {what} (code); een onbekende code geeft 422",
                "schema": {"type": "string", "enum": list(codes)},
            }
            for name, what, codes in (
                ("soort", "deze soort organisatie", PARTNER_KINDS),
                ("status", "deze status", STATUSES),
                ("profiel", "scholen met dit vmbo-profiel", PROFIELEN),
                ("leerweg", "scholen met deze leerweg", LEERWEGEN),
            )
        ),
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": "Zoek in naam, BRIN, plaats en contactpersonen (naam, e-mailadres)",
            "schema": {"type": "string", "maxLength": MAX_NAME},
        },
        *_PAGING_PARAMETERS,
    ],
}


_DEPLOY_FORM = {
    "schema": {
        "type": "object",
        "required": ["files"],
        "properties": {
            "files": {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "description": "Eén of meer .bpmn-, .dmn- en .json-bestanden (UTF-8). Een losse beslistabel of een "
                "los formulier maakt een nieuwe versie van elk proces dat dat bestand gebruikt.",
            },
            "region": {"type": "string", "description": "Alleen voor deze regio (een variant); leeg: gedeeld"},
            "note": {
                "type": "string",
                "maxLength": 2000,
                "description": "Wat er verandert, voor de versiegeschiedenis",
            },
        },
    },
    "encoding": {"files": {"contentType": "application/octet-stream"}},
}


def _success(response_schema: str | None) -> dict[str, Any]:
    if response_schema == _FILE:
        binary = {"schema": {"type": "string", "format": "binary"}}
        return {
            "description": "Het bestand (Content-Disposition noemt de bestandsnaam)",
            "content": {"application/octet-stream": binary},
        }
    if response_schema:
        return {"description": "OK", "content": {"application/json": {"schema": response_schema}}}
    return {"description": "OK, zonder inhoud"}


def build_openapi() -> dict[str, Any]:
    """The OpenAPI 3 document of the API."""
    spec = APISpec(
        title="STO Flow API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Werkprocessen voor STO-regio's. Alle aanroepen behalve het token "
            "aanvragen vragen 'Authorization: Bearer <token>'. Lijsten komen in pagina's: `limit` "
            f"(standaard {DEFAULT_LIMIT}, hoogstens {MAX_LIMIT}) en `page` (vanaf 1); het antwoord noemt `total` en "
            "in `next` het adres van de volgende pagina."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in {
        "TokenRequest": schemas.TokenRequestSchema,
        "Token": schemas.TokenSchema,
        "Process": schemas.ProcessSchema,
        "ProcessList": _ProcessList,
        "StartInstance": schemas.StartInstanceSchema,
        "WithdrawInstance": schemas.WithdrawInstanceSchema,
        "CompleteTask": schemas.CompleteTaskSchema,
        "Task": schemas.TaskSchema,
        "TaskList": _TaskList,
        "TaskDetail": schemas.TaskDetailSchema,
        "AuditEvent": schemas.AuditEventSchema,
        "Instance": schemas.InstanceSchema,
        "InstanceDetail": schemas.InstanceDetailSchema,
        "Partner": partner_schemas.PartnerSchema,
        "PartnerList": _PartnerList,
        "Request": request_views.RequestSchema,
        "RequestList": _RequestList,
        "PartnerDetail": partner_schemas.PartnerDetailSchema,
        "Error": schemas.ErrorSchema,
        "DefinitionVersion": definition_schemas.DefinitionVersionSchema,
        "DefinitionList": definition_schemas.DefinitionListSchema,
        "DeployResult": definition_schemas.DeployResultSchema,
        "DeployRefused": definition_schemas.DeployRefusedSchema,
        **console_views.SCHEMAS,
    }.items():
        spec.components.schema(name, schema=schema)
    for method, path, summary, request_schema, response_schema, ok, errors in _OPERATIONS + console_views.OPERATIONS:
        operation: dict[str, Any] = {
            "summary": summary,
            "responses": {ok: _success(response_schema)},
        }
        for status in errors:
            refused = (status == "422" and request_schema == _MULTIPART) or path.endswith("/rollback")
            operation["responses"][status] = {
                "description": _ERRORS[status],
                "content": {
                    "application/json": {"schema": "DeployRefused" if refused and status == "422" else "Error"}
                },
            }
        if request_schema == _MULTIPART:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": _DEPLOY_FORM}}
        elif request_schema:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request_schema}}}
        if not path.endswith("/auth/token"):
            operation["security"] = [{"bearer": []}]
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        operation["parameters"] = [
            {
                "name": p,
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if p in ("id", "version") or p.endswith("_id") else "string"},
            }
            for p in params
        ] + _EXTRA_PARAMETERS.get(path, [])
        spec.path(path=path, operations={method: operation})
    return spec.to_dict()


@docs.get("/api/v1/openapi.json")
def openapi_json() -> dict[str, Any]:
    return build_openapi()


@docs.get("/api/docs")
def api_docs() -> str:
    return render_template("api_docs.html", spec=build_openapi())
