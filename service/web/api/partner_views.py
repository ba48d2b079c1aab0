"""The partner register in the API (read-only): a region's partners in pages, one partner in full, and its signed
documents. Region-scoped like the rest: outside your regions a register does not exist (404)."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from ...domain import partners
from ...domain.errors import InvalidInput
from ..downloads import file_download
from .auth import api_call
from .blueprint import api
from .paging import page_request, paged
from .partner_schemas import PartnerChangeSchema, PartnerDetailSchema, PartnerSchema

# The query parameter of each PartnerFilter field; the domain names the search field as the web page does.
FILTER_PARAMETERS = {"kind": "soort", "status": "status", "profiel": "profiel", "leerweg": "leerweg", "text": "q"}
_DOMAIN_FIELD_NAMES = {"zoek": "q"}

_PARTNERS = PartnerSchema(many=True)
_PARTNER_DETAIL = PartnerDetailSchema(exclude=("history",))
_HISTORY = PartnerChangeSchema(many=True)


def _asked_filter() -> tuple[partners.PartnerFilter, dict[str, str]]:
    """The filter from the query string, and the parameters as given (for the next page's address)."""
    given = {param: request.args[param] for param in FILTER_PARAMETERS.values() if request.args.get(param)}
    values = {name: given.get(param, "") for name, param in FILTER_PARAMETERS.items()}
    return partners.PartnerFilter(**values), given


@api.get("/regions/<code>/partners")
def list_partners(code: str) -> dict[str, Any]:
    with api_call(write=False) as (session, user):
        wanted, given = _asked_filter()
        try:
            view = partners.list_partners(session, user=user, region_code=code, filters=wanted)
        except InvalidInput as err:  # name the API's parameter, not the web page's field
            named = {_DOMAIN_FIELD_NAMES.get(name, name): message for name, message in err.fields.items()}
            raise InvalidInput(err.message, named) from err
        asked = page_request()
        shown = view.partners[asked.offset : asked.offset + asked.limit]
        return paged("partners", _PARTNERS.dump(shown), len(view.partners), asked, code=code, **given)


@api.get("/regions/<code>/partners/<int:partner_id>")
def get_partner(code: str, partner_id: int) -> dict[str, Any]:
    with api_call(write=False) as (session, user):
        partner = partners.get_partner(session, user=user, region_code=code, partner_id=partner_id)
        return _PARTNER_DETAIL.dump(partner) | {"history": _HISTORY.dump(partners.history(session, partner))}


@api.get("/regions/<code>/partners/<int:partner_id>/documents/<int:document_id>")
def download_partner_document(code: str, partner_id: int, document_id: int) -> Response:
    with api_call(write=False) as (session, user):
        document = partners.get_document(
            session, user=user, region_code=code, partner_id=partner_id, document_id=document_id
        )
        return file_download(document.content, document.filename, fallback="document")
