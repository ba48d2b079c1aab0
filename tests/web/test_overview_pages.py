"""The overviews as coordinators and penvoerders see them in the browser: running requests of their own regions,
and the regioplan with its begroting after the seed case. Everyone else is kept out."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.domain import accounts, demo
from service.web.charts import PairedRow, paired_bar_chart
from tests.web.change_request import APPROVED, RECORD_ZORGROBOTS, REJECTED, ZORGROBOTS, complete, only_task, start
from tests.web.flow import TOETSEN, submitted_to_decision
from tests.web.pages import signed_in

NOORD_REQUEST = {**ZORGROBOTS, "titel": "Lasrobots in Noord"}


@pytest.fixture
def sign_in(app: Flask) -> Callable[[str], FlaskClient]:
    """sign_in(email) -> a signed-in test client."""
    return lambda email: signed_in(app, email)


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def row(html: str, attribute: str) -> str:
    """The table row carrying this data attribute, e.g. 'data-instance-id="3"'."""
    found = re.search(rf"<tr {re.escape(attribute)}>(.*?)</tr>", html, re.S)
    assert found, f"no row with {attribute}"
    return found.group(1)


def instance_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-instance-id="(\d+)">', html)]


def test_coordinator_sees_a_running_demo_request_with_its_current_step_and_age(login, sign_in, clock) -> None:
    projectleider = login("projectleider@demo.sto")
    submitted = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    clock.advance(days=3, hours=2)

    html = page(sign_in("coordinator@demo.sto"), "/overzicht")

    assert instance_ids(html) == [submitted["id"]]
    cells = row(html, f'data-instance-id="{submitted["id"]}"')
    assert f'href="/verzoeken/{submitted["id"]}">Zorgrobots in de praktijk</a>' in cells
    assert "Wijzigingsverzoek" in cells
    assert TOETSEN in cells
    assert "rol penvoerder" in cells and "nog niet opgepakt" in cells
    assert 'data-age-days="3">3 dagen<' in cells
    assert "30 november 2026" in cells  # started at


def test_running_requests_are_oldest_first_and_finished_ones_are_left_out(login, sign_in, clock) -> None:
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    stuurgroep = login("stuurgroep@demo.sto")
    oldest = start(projectleider)
    clock.advance(days=1)
    rejected = submitted_to_decision(projectleider, penvoerder)
    complete(stuurgroep, only_task(rejected)["id"], REJECTED)
    newest = start(projectleider)
    clock.advance(days=1)

    html = page(sign_in("penvoerder@demo.sto"), "/overzicht")

    assert instance_ids(html) == [oldest["id"], newest["id"]]
    assert 'data-count="running">2<' in html
    assert 'data-age-days="2">2 dagen<' in row(html, f'data-instance-id="{oldest["id"]}"')
    assert 'data-age-days="1">1 dag<' in row(html, f'data-instance-id="{newest["id"]}"')


def test_projectleider_is_refused_both_overviews(login, sign_in) -> None:
    start(login("projectleider@demo.sto"))
    client = sign_in("projectleider@demo.sto")

    for path in ("/overzicht", "/overzicht/begroting", "/overzicht/begroting?regio=demo"):
        html = page(client, path, status=403)
        assert "coördinator" in html and "penvoerder" in html
        assert "Zorgrobots" not in html and "Techniekmiddagen" not in html
    assert 'href="/overzicht"' not in page(client, "/")


def test_noord_coordinator_never_sees_demo_data(login, sign_in) -> None:
    demo_request = start(login("projectleider@demo.sto"), ZORGROBOTS)
    noord_request = start(login("projectleider@noord.sto"), NOORD_REQUEST, region="noord")
    client = sign_in("coordinator@noord.sto")

    running = page(client, "/overzicht")
    assert instance_ids(running) == [noord_request["id"]]
    assert "Zorgrobots" not in running and "Demo-regio" not in running
    for path in ("/overzicht?regio=demo", "/overzicht/begroting?regio=demo"):
        refused = page(client, path, status=404)
        assert "Zorgrobots" not in refused and f"/verzoeken/{demo_request['id']}" not in refused

    begroting = page(client, "/overzicht/begroting")
    assert "Regio Noord" in begroting and "Demo-regio" not in begroting
    assert 'data-total="planned">€ 700.000,00<' in begroting


def test_coordinator_in_one_region_and_projectleider_in_another_sees_only_the_first(
    runtime, clock, login, sign_in
) -> None:
    with runtime.transaction(write=True) as session:
        user = demo.create_demo_user(session, email="twee@sto.nl", name="Twee Petten", now=clock(), fast_hash=True)
        accounts.grant_role(session, user=user, region_code="demo", role="coordinator")
        accounts.grant_role(session, user=user, region_code="noord", role="projectleider")
    demo_request = start(login("projectleider@demo.sto"))
    start(login("projectleider@noord.sto"), NOORD_REQUEST, region="noord")
    client = sign_in("twee@sto.nl")

    assert instance_ids(page(client, "/overzicht")) == [demo_request["id"]]
    page(client, "/overzicht?regio=noord", status=403)
    page(client, "/overzicht/begroting?regio=noord", status=403)


def test_penvoerder_of_two_regions_sees_both_and_can_narrow_to_one(runtime, clock, login, sign_in) -> None:
    with runtime.transaction(write=True) as session:
        user = demo.create_demo_user(session, email="beide@sto.nl", name="Beide Regio's", now=clock(), fast_hash=True)
        for region in ("demo", "noord"):
            accounts.grant_role(session, user=user, region_code=region, role="penvoerder")
    noord_request = start(login("projectleider@noord.sto"), NOORD_REQUEST, region="noord")
    clock.advance(hours=1)
    demo_request = start(login("projectleider@demo.sto"))
    client = sign_in("beide@sto.nl")

    both = page(client, "/overzicht")
    assert instance_ids(both) == [noord_request["id"], demo_request["id"]]
    assert "Regio Noord" in row(both, f'data-instance-id="{noord_request["id"]}"')
    assert instance_ids(page(client, "/overzicht?regio=demo")) == [demo_request["id"]]
    assert "Regio Noord" in page(client, "/overzicht/begroting?regio=noord")


def test_begroting_after_the_seed_case_shows_the_new_activity_the_mutation_and_new_totals(
    login, sign_in, runtime
) -> None:
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    advised = submitted_to_decision(projectleider, penvoerder)
    decided = complete(login("stuurgroep@demo.sto"), only_task(advised)["id"], APPROVED)
    done = complete(projectleider, only_task(decided)["id"], RECORD_ZORGROBOTS)
    assert done["status"] == "completed"
    client = sign_in("coordinator@demo.sto")

    html = page(client, "/overzicht/begroting?regio=demo")

    activity = re.search(r"<tr><td>Zorgrobots in de praktijk</td>(.*?)</tr>", html, re.S)
    assert activity, "the new activity is in the activities table"
    assert "Samenwerking met het bedrijfsleven" in activity.group(1)
    assert "€ 0,00" in activity.group(1) and "€ 7.500,00" in activity.group(1)
    added_by = rf'toegevoegd</span>\s*door <a href="/verzoeken/{done["id"]}">Zorgrobots in de praktijk</a>'
    assert re.search(added_by, activity.group(1)), "the activity links to the request that added it"

    mutations = re.search(r'<table data-table="mutaties"[^>]*>(.*?)</table>', html, re.S)
    assert mutations
    cells = re.findall(r"<td[^>]*>(.*?)</td>", mutations.group(1), re.S)
    assert cells[1:5] == ["Techniekmiddagen basisonderwijs", "Zorgrobots in de praktijk", "2026", "€ 7.500,00"]
    assert f'href="/verzoeken/{done["id"]}"' in cells[5]
    assert cells[6] == "Projectleider Demo-regio"

    lines = re.search(r'<table data-table="programmalijnen"[^>]*>(.*?)</table>', html, re.S)
    assert lines
    samenwerking = row(lines.group(1), 'data-line="samenwerking_bedrijfsleven"')
    assert re.findall(r'<td class="num">(.*?)</td>', samenwerking) == ["€ 80.000,00", "€ 87.500,00", "+ € 7.500,00"]
    instroom = row(lines.group(1), 'data-line="instroombevordering"')
    assert re.findall(r'<td class="num">(.*?)</td>', instroom) == ["€ 340.000,00", "€ 332.500,00", "− € 7.500,00"]
    assert 'data-total="planned">€ 700.000,00<' in html and 'data-total="current">€ 700.000,00<' in html

    chart = re.search(r"<svg [^>]*role=\"img\"[^>]*>(.*?)</svg>", html, re.S)
    assert chart, "a server-rendered SVG chart"
    assert '<title id="begroting-chart-title">Begroting per programmalijn</title>' in chart.group(1)
    assert '<desc id="begroting-chart-desc">' in chart.group(1)
    assert "€ 87.500,00" in chart.group(1)
    assert "<script" not in html

    assert instance_ids(page(client, "/overzicht")) == []  # finished, so no longer running


def test_chart_escapes_labels_and_draws_bars_to_scale() -> None:
    svg = paired_bar_chart(
        [PairedRow("<script>alert(1)</script>", Decimal(100), Decimal(50)), PairedRow("Leeg", Decimal(0), Decimal(0))],
        title="Titel & zo",
        description="Uitleg",
        series=("Gepland", "Na mutaties"),
        format_value=str,
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Titel &amp; zo" in svg
    widths = [float(w) for w in re.findall(r'<rect x="0.5" y="[\d.]+" width="([\d.]+)" height="15"', svg)]
    assert widths == [590.0, 295.0, 0.0, 0.0]
