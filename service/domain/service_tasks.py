"""The operations service tasks in diagrams may call (spiffworkflow:serviceTaskOperator id=...).

They run inside the same transaction as the step that reached them, so a failure undoes the whole step. That
transaction may only be opened when the first service task asks for it (see steps.py): diagram code before it
runs without holding the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from ..models import ProcessInstance, User
from . import leaving_steps, partner_steps, regioplan, reports
from .errors import InvalidInput, ProcessFailed


@dataclass(frozen=True)
class ServiceContext:
    """The step's write session and instance, both opened on first use, plus who acts and when."""

    open_session: Callable[[], Session]
    open_instance: Callable[[], ProcessInstance]
    actor: User | None
    now: datetime

    @property
    def session(self) -> Session:
        return self.open_session()

    @property
    def instance(self) -> ProcessInstance:
        return self.open_instance()


def _mutatie_vastleggen(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    try:
        amount = Decimal(str(params.get("bedrag") or 0)).quantize(Decimal("0.01"))
    except InvalidOperation as err:
        raise InvalidInput("Ongeldig bedrag.", {"bedrag_mutatie": "Vul een bedrag in euro's in."}) from err
    request = regioplan.MutationRequest(
        activiteit=str(params.get("activiteit") or "").strip(),
        programmalijn=str(params.get("programmalijn") or ""),
        doelstelling=params.get("doelstelling") or None,
        van_activiteit=params.get("van_activiteit") or None,
        jaar=int(params.get("jaar") or 0),
        bedrag=amount,
        omschrijving=str(params.get("omschrijving") or ctx.instance.title),
    )
    if not request.activiteit:
        raise InvalidInput("Activiteit ontbreekt.", {"activiteit": "Dit veld is verplicht."})
    return regioplan.record_mutation(
        ctx.session,
        region_code=ctx.instance.region_code,
        instance_id=ctx.instance.id,
        request=request,
        actor=ctx.actor,
        now=ctx.now,
    )


def _rapportage_opnemen(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    item = regioplan.add_report_item(
        ctx.session,
        region_code=ctx.instance.region_code,
        instance_id=ctx.instance.id,
        title=str(params.get("titel") or ctx.instance.title),
        now=ctx.now,
    )
    return {"rapportage_item_id": item.id, "rapportage": item.report_kind}


def _rapportage_voorbereiden(ctx: ServiceContext, _params: dict[str, Any]) -> dict[str, Any]:
    return reports.prepare_report(ctx.session, instance=ctx.instance, now=ctx.now)


def _rapportage_ingediend(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    return reports.record_submission(
        ctx.session,
        instance=ctx.instance,
        submitted_on=str(params.get("ingediend_op") or ""),
        reference=str(params.get("kenmerk") or ""),
        item_ids=list(params.get("wijziging_ids") or []),
        actor=ctx.actor,
        now=ctx.now,
    )


OPERATIONS: dict[str, Callable[[ServiceContext, dict[str, Any]], dict[str, Any]]] = {
    "regioplan.mutatie_vastleggen": _mutatie_vastleggen,
    "rapportage.opnemen": _rapportage_opnemen,
    "rapportage.voorbereiden": _rapportage_voorbereiden,
    "rapportage.ingediend": _rapportage_ingediend,
    **partner_steps.OPERATIONS,
    **leaving_steps.OPERATIONS,
}


def service_handler(ctx: ServiceContext) -> Callable[[str, dict[str, Any], dict[str, Any]], Any]:
    """The callback the engine calls for service tasks of this instance."""

    def handle(operation: str, params: dict[str, Any], _data: dict[str, Any]) -> Any:
        if operation not in OPERATIONS:
            raise ProcessFailed(f"De servicetaak '{operation}' bestaat niet.", detail=operation)
        return OPERATIONS[operation](ctx, params)

    return handle
