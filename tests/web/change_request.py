"""Submissions for the change-request forms, as a projectleider, penvoerder and stuurgroep would fill them in."""

from __future__ import annotations

from typing import Any

ZORGROBOTS: dict[str, Any] = {
    "titel": "Zorgrobots in de praktijk",
    "omschrijving": "Leerlingen programmeren zorgrobots in een simulatie met het programma Zorg en Welzijn; "
    "de school koopt daarvoor een 3D-printer van ongeveer EUR 7.500.",
    "soort": "nieuwe_activiteit",
    "ook_soorten": ["budgetverschuiving"],  # the 3D printer is paid by shifting budget (seed case 1)
    "in_regioplan": False,
    "bedrag": 7500,
    "programmalijn": "samenwerking_bedrijfsleven",
    "doelstelling": "Techniek zichtbaar maken in andere domeinen",
    "past_bij_doelen": True,
    "toelichting_doelen": "Sluit aan bij de doelstelling om techniek zichtbaar te maken in de zorg.",
}

SMALL_IN_PLAN: dict[str, Any] = {
    **ZORGROBOTS,
    "titel": "Extra materiaal open lessen",
    "omschrijving": "Een kleine verschuiving van budget naar de open lessen voor materiaal.",
    "soort": "budgetverschuiving",
    "in_regioplan": True,
    "bedrag": 1200,
    "programmalijn": "instroombevordering",
}

ADVICE_POSITIVE = {
    "subsidiabel": True,
    "ruimte_in_begroting": True,
    "bron_begrotingspost": "Techniekmiddagen basisonderwijs",
    "advies": "positief",
    "toelichting_advies": "Subsidiabel; er is ruimte op de techniekmiddagen in 2026.",
}

APPROVED = {"besluit": "goedgekeurd", "vergaderdatum": "2026-12-10", "notulen_kenmerk": "SG-2026-12-10"}
REJECTED = {**APPROVED, "besluit": "afgewezen", "toelichting_besluit": "Past niet in dit jaar."}

RECORD_ZORGROBOTS = {
    "activiteit": "Zorgrobots in de praktijk",
    "programmalijn": "samenwerking_bedrijfsleven",
    "van_activiteit": "Techniekmiddagen basisonderwijs",
    "jaar": 2026,
    "bedrag_mutatie": 7500,
}


def start(user: Any, data: dict[str, Any] | None = None, region: str = "demo") -> dict[str, Any]:
    """Start a change request and return the instance JSON."""
    response = user.post("/api/v1/processes/wijzigingsverzoek/instances", {"region": region, "data": data or {}})
    assert response.status_code == 201, response.json
    return response.json


def only_task(instance: dict[str, Any]) -> dict[str, Any]:
    tasks = instance["open_tasks"]
    assert len(tasks) == 1, tasks
    return tasks[0]


def complete(user: Any, task_id: int, data: dict[str, Any]) -> dict[str, Any]:
    response = user.post(f"/api/v1/tasks/{task_id}/complete", {"data": data})
    assert response.status_code == 200, response.json
    return response.json
