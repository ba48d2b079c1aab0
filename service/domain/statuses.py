"""Where a request stands, in the words staff use: lopend, goedgekeurd, afgewezen, ingetrokken or afgerond. A
finished request with a decision (`besluit`, from the stuurgroep or a decision table) says which way it went."""

from __future__ import annotations

from ..models import ProcessInstance

STATUSES = ("lopend", "goedgekeurd", "afgewezen", "ingetrokken", "afgerond")


def request_status(instance: ProcessInstance) -> str:
    if instance.status == "withdrawn":
        return "ingetrokken"
    if instance.status != "completed":
        return "lopend"
    decision = (instance.data or {}).get("besluit")
    return decision if decision in ("goedgekeurd", "afgewezen") else "afgerond"
