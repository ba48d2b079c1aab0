"""Where a request stands, in the words staff use: lopend, goedgekeurd, afgewezen, ingetrokken or afgerond. A
finished request with a decision (`besluit`, from the stuurgroep or a decision table) says which way it went."""

from __future__ import annotations

from typing import Any

from ..models import ProcessInstance

STATUSES = ("lopend", "goedgekeurd", "afgewezen", "ingetrokken", "afgerond")
DECIDED = ("goedgekeurd", "afgewezen")


def status_word(status: str, besluit: Any) -> str:
    """From the instance's status and its `besluit` (lists read both columns without loading instances)."""
    if status == "withdrawn":
        return "ingetrokken"
    if status == "completed":
        return besluit if besluit in DECIDED else "afgerond"
    return "lopend"


def request_status(instance: ProcessInstance) -> str:
    return status_word(instance.status, (instance.data or {}).get("besluit"))
