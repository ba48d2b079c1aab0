"""The records people read (the Logboek, the status, letters) show what people wrote and decided, in their words:
field titles and decision-table labels, euros and dates the Dutch way, decisions in words; never variable names
or Python values."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.web.change_request import APPROVED, RECORD_ZORGROBOTS, REJECTED, complete, only_task
from tests.web.flow import instance, submitted_to_decision
from tests.web.pages import signed_in, text

# What gives internals away: snake_case names, dict or set braces, Python's True/False/None.
INTERNALS = re.compile(r"\b[a-z]+_[a-z_]+\b|[{}]|\bTrue\b|\bFalse\b|\bNone\b")


def logbook_text(app: Flask, instance_id: int, email: str = "coordinator@demo.sto") -> str:
    page = text(signed_in(app, email).get(f"/verzoeken/{instance_id}"))
    section = page.split('<table class="audit">', 1)[1].split("</table>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def finished_case_1(login: Any) -> dict[str, Any]:
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    advised = submitted_to_decision(projectleider, penvoerder)
    decided = complete(login("stuurgroep@demo.sto"), only_task(advised)["id"], APPROVED)
    return complete(projectleider, only_task(decided)["id"], RECORD_ZORGROBOTS)


def test_the_logbook_of_a_finished_case_1_reads_as_people_wrote_it(app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    case = finished_case_1(login)
    assert case["status"] == "completed"
    logbook = logbook_text(app, case["id"])
    assert INTERNALS.findall(logbook) == []
    for shown in ("Stuurgroep beslist", "Melden aan DUS-I", "Goedgekeurd", "€ 7.500,00", "10 december 2026"):
        assert shown in logbook, shown


def test_a_finished_request_says_whether_it_was_approved_or_rejected(app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    approved = finished_case_1(login)
    page = text(signed_in(app, "coordinator@demo.sto").get(f"/verzoeken/{approved['id']}"))
    assert 'data-status="completed">goedgekeurd<' in page
    advised = submitted_to_decision(login("projectleider@demo.sto"), login("penvoerder@demo.sto"))
    rejected = complete(login("stuurgroep@demo.sto"), only_task(advised)["id"], REJECTED)
    page = text(signed_in(app, "coordinator@demo.sto").get(f"/verzoeken/{rejected['id']}"))
    assert 'data-status="completed">afgewezen<' in page


def test_the_recording_form_carries_what_was_already_decided(login) -> None:  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    advised = submitted_to_decision(projectleider, login("penvoerder@demo.sto"))
    decided = complete(login("stuurgroep@demo.sto"), only_task(advised)["id"], APPROVED)
    data = projectleider.get(f"/api/v1/tasks/{only_task(decided)['id']}").json["data"]
    assert data["activiteit"] == "Zorgrobots in de praktijk"
    assert data["bedrag_mutatie"] == 7500
    assert data["programmalijn"] == "samenwerking_bedrijfsleven"
    assert instance(projectleider, decided["id"])["status"] == "running"
