"""No request ends in a 500, however malformed: every route of the app (pages and API), with ids and names that
are out of range, odd or hostile, and with garbage forms and bodies, as a signed-in administrator, a signed-in
projectleider and a stranger. Each answer is below 500, and the server still answers normally afterwards."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing.converters import NumberConverter

from service.domain import partners
from service.jobs.heartbeat import beat
from service.models import Partner
from service.web.runtime import Runtime

from .pages import csrf_token, post_form, signed_in

INTS = ("1", "0", str(2**31), str(2**63), str(2**64))
STRINGS = ("wijzigingsverzoek", "demo", "€-漢字-é", "..%2F..%2Fetc%2Fpasswd", "x" * 300, "%00")
HOSTILE = {
    "titel": "x" * 20_000,
    "omschrijving": "\x00\ud7ff€漢字",
    "bedrag": "NaN",
    "soort": "bestaat_niet",
    "regio": "bestaat-niet",
    "proces": "bestaat-niet",
    "email": "@@",
    "password": "",
    "rol": "keizer",
    "role": "keizer",
    "naam": "<script>alert(1)</script>",
    "datum": "31-02-2027",
    "deadline": "2027-13-45",
    "user_id": str(2**63),
    "page": "-1",
    "limit": "1e9",
}
BODIES: tuple[Any, ...] = (
    HOSTILE,
    {"data": {"bedrag": "Infinity", "titel": ["a"]}, "region": 7},
    "[[[[[[[[[[" * 200,
    '{"region": "demo\\u0000", "data": {"titel": "a\\u0000b"}}',
    "\xff\xfe not json",
)
QUERIES = (
    "",
    "?regio=%00&proces=%00&pagina=%00&limit=%00",
    "?regio=" + "€" * 500 + "&pagina=-1",
    # The partner register's filters (and whatever else reads them): unknown codes, odd characters, a long search.
    "?soort=onzin&status=%E2%82%AC&profiel=..%2F&leerweg=kb&zoek=" + "x" * 300 + "&q=%ff%fe&limit=0",
)
SIGN_OUT = re.compile(r"afmelden|sign.?out|logout", re.IGNORECASE)


def _paths(app: Flask) -> list[tuple[str, str]]:
    """(method, path) for every route, each variable filled with every odd value of its kind."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        converters = rule._converters  # the variables in the path (rule.arguments also holds defaults)
        names = sorted(converters)
        choices = [INTS if isinstance(converters[name], NumberConverter) else STRINGS for name in names]
        for values in itertools.product(*choices) if names else [()]:
            path = rule.rule
            for name, value in zip(names, values, strict=True):
                path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
            for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}):
                found.append((method, path))
    return found


def _hit(client: FlaskClient, method: str, path: str, token: str) -> list[tuple[int, str]]:
    answers = []
    if method == "GET":
        for query in QUERIES:
            response = client.get(path + query, headers={"Accept-Language": "en;q=0.1, *"})
            answers.append((response.status_code, f"GET {path}{query[:30]}"))
        return answers
    for body in BODIES:
        if isinstance(body, dict) and not path.startswith("/api/"):
            response = client.open(path, method=method, data={**body, "csrf_token": token})
        elif isinstance(body, dict):
            response = client.open(path, method=method, json=body)
        else:
            response = client.open(path, method=method, data=body, content_type="application/json")
        answers.append((response.status_code, f"{method} {path} {str(body)[:40]!r}"))
    return answers


def _add_partner_document(runtime: Runtime) -> bool:
    """A signed document of partner 1 (so that its download route is reached too); False when there is no partner 1
    (ids need not restart at 1 on every database)."""
    with runtime.transaction(write=True) as session:
        partner = session.get(Partner, 1)
        if partner is None:
            return False
        partners.add_document(
            session, user=None, region_code=partner.region_code, partner_id=1, kind="overig", filename="€-漢字.pdf",
            content_type="application/pdf", content=b"%PDF-1.4", max_bytes=2**20, now=runtime.clock(),
        )  # fmt: skip
        return partner.region_code == "demo"


def test_no_route_answers_a_server_error_whatever_it_is_sent(app: Flask, runtime: Runtime) -> None:
    leider = signed_in(app, "projectleider@demo.sto")
    post_form(leider, "/nieuw", {"proces": "wijzigingsverzoek", "regio": "demo"})  # so that id 1 exists
    document_1_in_demo = _add_partner_document(runtime)
    beat(runtime, "tests:1", started_at=runtime.clock())  # a scheduler runs: /readyz's 503 would mean not ready
    api = app.test_client()
    issued = api.post("/api/v1/auth/token", json={"email": "projectleider@demo.sto", "password": "demo"})
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.json['token']}"
    # The administrator goes last: its garbage posts on the people pages may end other users' sessions.
    users = [
        ("stranger", app.test_client()),
        ("api", api),
        ("projectleider", leider),
        ("beheerder", signed_in(app, "beheerder@demo.sto")),
    ]
    paths = _paths(app)
    assert len(paths) > 150  # every route, many ways
    server_errors: list[tuple[str, str]] = []
    seen: Counter[str] = Counter()
    reached: set[str] = set()  # what the API user got a 2xx answer for
    for label, client in users:
        token = csrf_token(client, "/wachtwoord" if label in ("beheerder", "projectleider") else "/aanmelden")
        for method, path in paths:
            if label != "stranger" and SIGN_OUT.search(path):
                continue  # signing out here would make the rest of this user's requests a stranger's
            answers = _hit(client, method, path, token)
            server_errors += [(label, what) for status, what in answers if status >= 500]
            seen.update(f"{label} {status // 100}xx" for status, _what in answers)
            reached |= {what for status, what in answers if label == "api" and status < 300}

    assert server_errors == [], server_errors
    # The signed-in users really got past sign-in on many routes (not merely redirected to it).
    assert seen["beheerder 2xx"] >= 10 and seen["projectleider 2xx"] >= 5 and seen["api 2xx"] >= 5, seen
    # The partner register's routes were among them, and answered (not merely refused).
    assert "GET /api/v1/regions/demo/partners" in reached, reached
    if document_1_in_demo:  # ids start at 1 on a fresh SQLite file; PostgreSQL's sequences run on between tests
        assert {"GET /api/v1/regions/demo/partners/1", "GET /api/v1/regions/demo/partners/1/documents/1"} <= reached
    fresh = signed_in(app, "penvoerder@demo.sto")  # (user 1 may have been changed by the garbage above)
    assert fresh.get("/").status_code == 200
    issued = app.test_client().post("/api/v1/auth/token", json={"email": "penvoerder@demo.sto", "password": "demo"})
    listing = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {issued.json['token']}"})
    assert listing.status_code == 200 and listing.json["total"] >= 0
    register = app.test_client().get(
        "/api/v1/regions/demo/partners", headers={"Authorization": f"Bearer {issued.json['token']}"}
    )
    assert register.status_code == 200 and "Vakcollege De Brug" in [p["name"] for p in register.json["partners"]]
