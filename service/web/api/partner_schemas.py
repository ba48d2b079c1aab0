"""Marshmallow schemas of the partner register's JSON: codes with their labels, so a client needs no copy of the
register's vocabulary (service/domain/vmbo.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for
from marshmallow import Schema, fields

from ...domain.partners import DOCUMENT_KINDS
from ...domain.vmbo import LEERWEGEN, PARTNER_KINDS, PROFIELEN


class Derived(fields.Nested):
    """A nested value computed from the whole record (a code and its label), documented like its schema."""

    def __init__(self, nested: type[Schema], compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(nested, **kwargs)
        self.compute = compute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return self.compute(obj)


class CodeLabelSchema(Schema):
    code = fields.String()
    label = fields.String(metadata={"description": "Zoals mensen het lezen"})


class LeerwegSchema(Schema):
    code = fields.String(metadata={"description": "BB, KB, GL of TL"})
    name = fields.String()


class ProfielSchema(Schema):
    code = fields.String()
    name = fields.String()
    abbreviation = fields.String()
    technical = fields.Boolean(metadata={"description": "Een technisch profiel (BWI, PIE, M&T, MVI, MaT)"})


def _coded(labels: dict[str, str], code: str) -> dict[str, str]:
    return {"code": code, "label": labels.get(code, code)}


def _partner_url(partner: Any) -> str:
    return url_for("api.get_partner", code=partner.region_code, partner_id=partner.id)


def _document_url(document: Any) -> str:
    return url_for(
        "api.download_partner_document",
        code=document.partner.region_code,
        partner_id=document.partner_id,
        document_id=document.id,
    )


class PartnerSchema(Schema):
    id = fields.Integer()
    region = fields.String(attribute="region_code")
    kind = Derived(CodeLabelSchema, lambda p: _coded(PARTNER_KINDS, p.kind))
    name = fields.String()
    brin = fields.String(allow_none=True, metadata={"description": "BRIN-vestigingsnummer, bijvoorbeeld 12AB01"})
    bevoegd_gezag = fields.String(allow_none=True)
    place = fields.String(allow_none=True)
    profielen = Derived(ProfielSchema, lambda p: [PROFIELEN[c] for c in p.profielen or [] if c in PROFIELEN], many=True)
    leerwegen = Derived(
        LeerwegSchema, lambda p: [{"code": c, "name": LEERWEGEN.get(c, c)} for c in p.leerwegen or []], many=True
    )
    status = fields.String(metadata={"description": "kandidaat, actief of vertrokken"})
    candidate_since = fields.Date(allow_none=True)
    active_from = fields.Date(allow_none=True)
    left_on = fields.Date(allow_none=True)
    activity_count = fields.Function(
        lambda p: len(p.activity_links),
        metadata={"type": "integer", "description": "Aan hoeveel activiteiten uit het regioplan de partner meedoet"},
    )
    url = fields.Function(_partner_url, metadata={"type": "string", "description": "Adres van de partner in de API"})


class ContactSchema(Schema):
    name = fields.String()
    email = fields.String()
    role = fields.String(allow_none=True)


class ProgrammeLineSchema(Schema):
    code = fields.String()
    name = fields.String()


class PartnerActivitySchema(Schema):
    id = fields.Integer(attribute="activity.id", metadata={"description": "De activiteit in het regioplan"})
    name = fields.String(attribute="activity.name")
    programme_line = fields.Nested(ProgrammeLineSchema, attribute="activity.programme_line")


class PartnerDocumentSchema(Schema):
    id = fields.Integer()
    kind = Derived(CodeLabelSchema, lambda d: _coded(DOCUMENT_KINDS, d.kind))
    filename = fields.String()
    size = fields.Integer(metadata={"description": "In bytes"})
    sha256 = fields.String()
    uploaded_by = fields.String(attribute="uploaded_by_label")
    uploaded_at = fields.DateTime()
    url = fields.Function(
        _document_url, metadata={"type": "string", "description": "Adres om het bestand te downloaden"}
    )


class PartnerChangeSchema(Schema):
    at = fields.DateTime()
    actor = fields.String(attribute="actor_label")
    summary = fields.String()
    changes = fields.Dict(metadata={"description": "Per veld [oude waarde, nieuwe waarde]"})
    instance_id = fields.Integer(allow_none=True, metadata={"description": "Het verzoek dat de wijziging bracht"})


class PartnerDetailSchema(PartnerSchema):
    note = fields.String(allow_none=True)
    contacts = fields.List(fields.Nested(ContactSchema))
    activities = fields.List(fields.Nested(PartnerActivitySchema), attribute="activity_links")
    documents = fields.List(fields.Nested(PartnerDocumentSchema))
    history = fields.List(fields.Nested(PartnerChangeSchema), metadata={"description": "Nieuwste eerst"})
    joined_by_instance_id = fields.Integer(
        allow_none=True, metadata={"description": "Het verzoek (nieuwe partner) waarmee de partner binnenkwam"}
    )
