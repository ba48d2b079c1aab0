"""'Verzoeken': find a request again. Two views of one list, 'Mijn verzoeken' and 'Alle verzoeken', with filters,
search, sorting and pages, and the same list as a CSV file that Dutch Excel opens as it is."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime

from flask import Blueprint, Response, render_template, request, send_file
from flask_babel import format_date
from flask_babel import gettext as _

from ...domain.definitions import list_latest_definitions
from ...domain.errors import InvalidInput
from ...domain.money import format_euro
from ...domain.request_lists import (
    SORTS,
    RequestFilter,
    RequestRow,
    check_filter,
    iter_requests,
    list_requests,
    visible_regions,
)
from ...domain.texts import N_
from ..messages import translate_fields
from ..runtime import runtime
from ..session_auth import page_call

requests_list = Blueprint("requests", __name__)
PER_PAGE = 25
MAX_PAGE = 100_000
# The page's query parameter of each RequestFilter field (the API uses the field names themselves).
PARAMETERS = {"process": "proces", "region": "regio", "status": "status", "q": "zoek", "sort": "sorteer"}
_DIGITS = re.compile(r"[0-9]{1,9}")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def status_labels() -> dict[str, str]:
    return {
        "lopend": _("lopend"),
        "gepauzeerd": _("gepauzeerd"),
        "goedgekeurd": _("goedgekeurd"),
        "afgewezen": _("afgewezen"),
        "ingetrokken": _("ingetrokken"),
        "afgerond": _("afgerond"),
    }


def sort_labels() -> dict[str, str]:
    return {
        "-started": _("Gestart: nieuwste eerst"),
        "started": _("Gestart: oudste eerst"),
        "due": _("Uiterlijk: vroegste eerst"),
        "-due": _("Uiterlijk: laatste eerst"),
        "title": _("Titel: A tot Z"),
        "-title": _("Titel: Z tot A"),
    }


def _asked(scope: str) -> tuple[RequestFilter, dict[str, str]]:
    """The filter from the query string, and the parameters as given (kept on every page and in the export)."""
    given = {param: request.args[param] for param in PARAMETERS.values() if request.args.get(param)}
    values = {name: given.get(param, "") for name, param in PARAMETERS.items()}
    return RequestFilter(scope=scope, **values | {"sort": values["sort"] or SORTS[0]}), given


def _page_number() -> tuple[int, dict[str, str]]:
    """The page asked for, and the refusal naming 'pagina' when it is not a sensible number."""
    raw = request.args.get("pagina") or "1"
    value = int(raw) if _DIGITS.fullmatch(raw) else 0
    if not 1 <= value <= MAX_PAGE:
        return 1, {"pagina": N_("Gebruik een geheel getal van 1 tot en met %(max)s.", max=MAX_PAGE)}
    return value, {}


def _page_names(err: InvalidInput) -> InvalidInput:
    """The same refusal, naming the page's parameters instead of the filter's field names."""
    named = {PARAMETERS.get(name, name): message for name, message in err.fields.items()}
    return InvalidInput(err.message, named)


@requests_list.get("/verzoeken")
def mine() -> tuple[str, int]:
    return _render("mine")


@requests_list.get("/verzoeken/alle")
def everything() -> tuple[str, int]:
    return _render("all")


def _render(scope: str) -> tuple[str, int]:
    wanted, given = _asked(scope)
    number, refused = _page_number()
    with page_call(write=False) as (session, user):
        try:
            check_filter(session, user, wanted)
        except InvalidInput as err:
            refused = _page_names(err).fields | refused
        result = None
        if not refused:  # a bad value in the address: say which, keep the form, list nothing
            result = list_requests(session, user=user, wanted=wanted, page=number, per_page=PER_PAGE)
        page = render_template(
            "requests_list.html",
            scope=scope,
            heading=_("Mijn verzoeken") if scope == "mine" else _("Alle verzoeken"),
            endpoint="requests.mine" if scope == "mine" else "requests.everything",
            export_endpoint="requests.export_mine" if scope == "mine" else "requests.export_everything",
            result=result,
            wanted=wanted,
            given=given,
            errors=translate_fields(refused),
            regions=visible_regions(session, user),
            processes={d.process_key: d.name for d in list_latest_definitions(session)},
            statuses=status_labels(),
            sorts=sort_labels(),
            now=runtime().clock(),
        )
    return page, 422 if refused else 200


@requests_list.get("/verzoeken/export")
def export_mine() -> Response:
    return _export("mine")


@requests_list.get("/verzoeken/alle/export")
def export_everything() -> Response:
    return _export("all")


def _export(scope: str) -> Response:
    wanted, _given = _asked(scope)
    now = runtime().clock()
    with page_call(write=False) as (session, user):
        try:
            rows = list(iter_requests(session, user=user, wanted=wanted))
        except InvalidInput as err:
            raise _page_names(err) from err
        data = _csv(rows, now=now)
    name = "mijn-verzoeken.csv" if scope == "mine" else "alle-verzoeken.csv"
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name=name, max_age=0)


def _cell(text: str) -> str:
    """Text as a spreadsheet shows it, never as a formula (a title starting with '=' stays text)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(rows: Iterable[RequestRow], *, now: datetime) -> bytes:
    """The rows as Dutch Excel reads a CSV file: UTF-8 with a BOM, ';' between the columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Nummer"),
            _("Titel"),
            _("Proces"),
            _("Regio"),
            _("Status"),
            _("Huidige stap"),
            _("Bij wie"),
            _("Uiterlijk"),
            _("Te laat"),
            _("Bedrag (euro)"),
            _("Gestart op"),
        ]
    )
    labels = status_labels()
    for row in rows:
        due = row.due_at
        writer.writerow(
            [
                row.id,
                _cell(row.title),
                _cell(row.process_name),
                _cell(row.region_name),
                labels[row.status],
                _cell(" | ".join(step.name for step in row.steps)),
                _cell(" | ".join(_holder(step.holder, step.role) for step in row.steps)),
                format_date(due, "dd-MM-yyyy") if due else "",
                _("ja") if row.overdue(now) else "",
                format_euro(row.amount, symbol=False) if row.amount is not None else "",
                format_date(row.started_at, "dd-MM-yyyy"),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _holder(person: str | None, role: str | None) -> str:
    return person or role or _("aanvrager")
