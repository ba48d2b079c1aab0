"""Where a request stands, in the words staff use: lopend, gepauzeerd (an operator paused it), goedgekeurd,
afgewezen, ingetrokken or afgerond. A
finished request with a decision (`besluit`, from the stuurgroep or a decision table) says which way it went."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..models import ProcessInstance

STATUSES = ("lopend", "gepauzeerd", "goedgekeurd", "afgewezen", "ingetrokken", "afgerond")
DECIDED = ("goedgekeurd", "afgewezen")


def status_word(status: str, besluit: Any, suspended_at: datetime | None = None) -> str:
    """From the instance's status, its `besluit` and when an operator paused it (lists read these columns
    without loading instances)."""
    if status == "running" and suspended_at is not None:
        return "gepauzeerd"
    if status == "withdrawn":
        return "ingetrokken"
    if status == "completed":
        return besluit if besluit in DECIDED else "afgerond"
    return "lopend"


def request_status(instance: ProcessInstance) -> str:
    return status_word(instance.status, (instance.data or {}).get("besluit"), instance.suspended_at)
