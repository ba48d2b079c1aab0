"""The region's partner register as pages: the list with its filter, the form that adds or changes a partner, and
the partner's own page with contacts, activities, signed documents and the history of every change."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ...domain import partners as partner_cases
from ...domain.access import visible_region, visible_regions
from ...domain.errors import InvalidInput
from ...domain.texts import N_
from ...domain.vmbo import INTERSECTORAAL, LEERWEGEN, OVERIG, PROFIELEN, TECHNISCH
from ...models import PartnerChange
from ..downloads import file_download
from ..limits import MAX_ID
from ..messages import field_errors
from ..runtime import runtime
from ..session_auth import page_call

partners = Blueprint("partners", __name__)


# --- words for people -----------------------------------------------------------------------------------------


def kind_labels() -> dict[str, str]:
    """The kinds of organisation (service.domain.vmbo.PARTNER_KINDS), in the user's language."""
    return {
        "vmbo": _("vmbo-school"),
        "mbo": _("mbo-instelling"),
        "po": _("basisschool"),
        "pro": _("praktijkonderwijs"),
        "bedrijf": _("bedrijf"),
        "overig": _("overige organisatie"),
    }


def status_labels() -> dict[str, str]:
    return {"kandidaat": _("kandidaat"), "actief": _("actief"), "vertrokken": _("vertrokken")}


def document_labels() -> dict[str, str]:
    """The kinds of signed document (service.domain.partners.DOCUMENT_KINDS)."""
    return {
        "huishoudelijk_reglement": _("huishoudelijk reglement (ondertekend)"),
        "samenwerkingsovereenkomst": _("samenwerkingsovereenkomst (ondertekend)"),
        "overig": _("overig document"),
    }


def profiel_groups() -> list[tuple[str, list[Any]]]:
    """The profielen as the form groups them: technical ones first."""
    titles = {TECHNISCH: _("Technisch"), INTERSECTORAAL: _("Intersectoraal"), OVERIG: _("Overig")}
    return [(titles[group], [p for p in PROFIELEN.values() if p.group == group]) for group in titles]


def field_labels() -> dict[str, str]:
    """The names of the fields the history mentions."""
    return {
        "kind": _("Soort"),
        "name": _("Naam"),
        "brin": _("BRIN-vestigingsnummer"),
        "bevoegd_gezag": _("Bevoegd gezag"),
        "place": _("Plaats"),
        "profielen": _("Profielen"),
        "leerwegen": _("Leerwegen"),
        "status": _("Status"),
        "candidate_since": _("Kandidaat sinds"),
        "active_from": _("Actief vanaf"),
        "left_on": _("Vertrokken op"),
        "note": _("Toelichting"),
        "contact": _("Contactpersoon"),
        "activiteit": _("Activiteit"),
        "document": _("Document"),
    }


def _readable(name: str, value: Any) -> str:
    """One value of the history as a person reads it: labels for codes, dates written out."""
    if value is None or value == [] or value == "":
        return ""
    if name == "kind":
        return kind_labels().get(value, str(value))
    if name == "status":
        return status_labels().get(value, str(value))
    if name == "profielen" and isinstance(value, list):
        return ", ".join(PROFIELEN[c].abbreviation if c in PROFIELEN else str(c) for c in value)
    if name == "leerwegen" and isinstance(value, list):
        return ", ".join(LEERWEGEN.get(c, str(c)) for c in value)
    if name in ("candidate_since", "active_from", "left_on") and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), "d MMMM yyyy")
        except ValueError:
            return value
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def readable_changes(change: PartnerChange) -> list[tuple[str, str, str]]:
    """(field, old, new) of one history entry, in the order of the form."""
    labels = field_labels()
    order = list(labels)
    items = sorted((change.changes or {}).items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    rows = []
    for name, pair in items:
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        rows.append((labels.get(name, name), _readable(name, old), _readable(name, new)))
    return rows


def _vocabulary() -> dict[str, Any]:
    return {
        "kinds": kind_labels(),
        "statuses": status_labels(),
        "documents": document_labels(),
        "profielen": PROFIELEN,
        "leerwegen": LEERWEGEN,
    }


# --- the register ---------------------------------------------------------------------------------------------


@partners.get("/partners")
def index() -> str | BaseResponse:
    with page_call(write=False) as (session, user):
        regions = visible_regions(session, user=user)
        if len(regions) == 1:
            return redirect(url_for("partners.register", region_code=regions[0].code))
        return render_template("partners_index.html", regions=regions)


@partners.get("/partners/<region_code>")
def register(region_code: str) -> tuple[str, int]:
    args = request.args
    filters = partner_cases.PartnerFilter(
        kind=args.get("soort", ""),
        status=args.get("status", ""),
        profiel=args.get("profiel", ""),
        leerweg=args.get("leerweg", ""),
        text=args.get("zoek", ""),
    )
    with page_call(write=False) as (session, user):
        errors: dict[str, str] = {}
        try:
            view = partner_cases.list_partners(session, user=user, region_code=region_code, filters=filters)
        except InvalidInput as err:  # an unknown code in the address: say so, list nothing
            errors = field_errors(err)
            view = partner_cases.list_partners(session, user=user, region_code=region_code)
            view = replace(view, partners=[])
        filtered = any((filters.kind, filters.status, filters.profiel, filters.leerweg, filters.text.strip()))
        page = render_template(
            "partners_register.html",
            view=view,
            filters=filters,
            filtered=filtered,
            errors=errors,
            profiel_groups=profiel_groups(),
            **_vocabulary(),
        )
    return page, 422 if errors else 200


# --- adding and changing a partner ----------------------------------------------------------------------------


def _text(name: str) -> str:
    """A form field's text. The app refuses NUL characters before any view, except in multipart forms (whose
    files may hold them): no database stores them in text, so they are refused here too."""
    value = request.form.get(name, "")
    if "\x00" in value:
        message = N_("Dit veld bevat een ongeldig teken (een nul-teken).")
        raise InvalidInput(message, {name: message})
    return value


def _values() -> partner_cases.PartnerValues:
    form = request.form
    return partner_cases.PartnerValues(
        kind=_text("kind"),
        name=_text("name"),
        brin=_text("brin"),
        bevoegd_gezag=_text("bevoegd_gezag"),
        place=_text("place"),
        profielen=form.getlist("profielen"),
        leerwegen=form.getlist("leerwegen"),
        status=_text("status"),
        candidate_since=_text("candidate_since"),
        active_from=_text("active_from"),
        left_on=_text("left_on"),
        note=_text("note"),
    )


def _render_form(
    region_code: str, partner_id: int | None, values: partner_cases.PartnerValues, errors: dict[str, str]
) -> str:
    with page_call(write=False) as (session, user):
        partner = None
        if partner_id is None:
            region = partner_cases.editable_region(session, user=user, region_code=region_code)
        else:
            partner = partner_cases.get_partner_to_edit(
                session, user=user, region_code=region_code, partner_id=partner_id
            )
            region = visible_region(session, user=user, region_code=region_code)
        return render_template(
            "partners_form.html",
            region=region,
            partner=partner,
            values=values,
            errors=errors,
            profiel_groups=profiel_groups(),
            **_vocabulary(),
        )


@partners.get("/partners/<region_code>/nieuw")
def new(region_code: str) -> str:
    today = runtime().clock().date().isoformat()
    return _render_form(region_code, None, partner_cases.PartnerValues(kind="vmbo", candidate_since=today), {})


@partners.post("/partners/<region_code>/nieuw")
def create(region_code: str) -> BaseResponse | tuple[str, int]:
    values = _values()
    try:
        with page_call(write=True) as (session, user):
            added = partner_cases.add_partner(
                session, user=user, region_code=region_code, values=values, now=runtime().clock()
            )
            partner_id, name = added.id, added.name
    except InvalidInput as err:  # rolled back: nothing was saved
        return _render_form(region_code, None, values, field_errors(err)), 422
    flash(_("%(name)s staat nu in het register.", name=name), "success")
    return redirect(url_for("partners.show", region_code=region_code, partner_id=partner_id))


@partners.get("/partners/<region_code>/<int:partner_id>/wijzigen")
def edit(region_code: str, partner_id: int) -> str:
    with page_call(write=False) as (session, user):
        partner = partner_cases.get_partner_to_edit(session, user=user, region_code=region_code, partner_id=partner_id)
        values = partner_cases.PartnerValues.of(partner)
    return _render_form(region_code, partner_id, values, {})


@partners.post("/partners/<region_code>/<int:partner_id>/wijzigen")
def update(region_code: str, partner_id: int) -> BaseResponse | tuple[str, int]:
    values = _values()
    try:
        with page_call(write=True) as (session, user):
            changed = partner_cases.update_partner(
                session, user=user, region_code=region_code, partner_id=partner_id, values=values, now=runtime().clock()
            )
            name = changed.name
    except InvalidInput as err:
        return _render_form(region_code, partner_id, values, field_errors(err)), 422
    flash(_("De gegevens van %(name)s zijn opgeslagen.", name=name), "success")
    return redirect(url_for("partners.show", region_code=region_code, partner_id=partner_id))


# --- the partner's page ---------------------------------------------------------------------------------------


def _render_partner(region_code: str, partner_id: int, errors: dict[str, str], kept: dict[str, str]) -> str:
    with page_call(write=False) as (session, user):
        partner = partner_cases.get_partner(session, user=user, region_code=region_code, partner_id=partner_id)
        joined = {link.activity_id for link in partner.activity_links}
        changes = partner_cases.history(session, partner)
        return render_template(
            "partners_detail.html",
            region=visible_region(session, user=user, region_code=region_code),
            partner=partner,
            may_edit=partner_cases.may_edit_register(user, region_code),
            history=[(change, readable_changes(change)) for change in changes],
            activities=[a for a in partner_cases.region_activities(session, region_code) if a.id not in joined],
            max_upload_mb=runtime().settings.max_upload_bytes // 2**20,
            errors=errors,
            kept=kept,
            **_vocabulary(),
        )


@partners.get("/partners/<region_code>/<int:partner_id>")
def show(region_code: str, partner_id: int) -> str:
    return _render_partner(region_code, partner_id, {}, {})


def _back(region_code: str, partner_id: int, anchor: str) -> BaseResponse:
    return redirect(url_for("partners.show", region_code=region_code, partner_id=partner_id, _anchor=anchor))


@partners.post("/partners/<region_code>/<int:partner_id>/contactpersonen")
def add_contact(region_code: str, partner_id: int) -> BaseResponse | tuple[str, int]:
    kept = {name: _text(name) for name in ("contact_name", "contact_email", "contact_role")}
    try:
        with page_call(write=True) as (session, user):
            contact = partner_cases.add_contact(
                session,
                user=user,
                region_code=region_code,
                partner_id=partner_id,
                name=kept["contact_name"],
                email=kept["contact_email"],
                role=kept["contact_role"],
                now=runtime().clock(),
            )
            name = contact.name
    except InvalidInput as err:
        return _render_partner(region_code, partner_id, field_errors(err), kept), 422
    flash(_("Contactpersoon %(name)s is toegevoegd.", name=name), "success")
    return _back(region_code, partner_id, "contactpersonen")


@partners.post("/partners/<region_code>/<int:partner_id>/contactpersonen/<int:contact_id>/verwijderen")
def remove_contact(region_code: str, partner_id: int, contact_id: int) -> BaseResponse:
    with page_call(write=True) as (session, user):
        partner_cases.remove_contact(
            session, user=user, region_code=region_code, partner_id=partner_id, contact_id=contact_id,
            now=runtime().clock(),
        )  # fmt: skip
    flash(_("De contactpersoon is verwijderd."), "success")
    return _back(region_code, partner_id, "contactpersonen")


def _activity_id() -> int:
    text = _text("activity_id").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise InvalidInput("Onbekende activiteit.", {"activity_id": "Kies een activiteit uit het regioplan."})
    return int(text)


@partners.post("/partners/<region_code>/<int:partner_id>/activiteiten")
def link_activity(region_code: str, partner_id: int) -> BaseResponse | tuple[str, int]:
    kept = {"activity_id": request.form.get("activity_id", "")}
    try:
        with page_call(write=True) as (session, user):
            link = partner_cases.link_activity(
                session, user=user, region_code=region_code, partner_id=partner_id, activity_id=_activity_id(),
                now=runtime().clock(),
            )  # fmt: skip
            name = link.activity.name
    except InvalidInput as err:
        return _render_partner(region_code, partner_id, field_errors(err), kept), 422
    flash(_("De partner doet nu mee aan %(activity)s.", activity=name), "success")
    return _back(region_code, partner_id, "activiteiten")


@partners.post("/partners/<region_code>/<int:partner_id>/activiteiten/<int:activity_id>/ontkoppelen")
def unlink_activity(region_code: str, partner_id: int, activity_id: int) -> BaseResponse:
    with page_call(write=True) as (session, user):
        partner_cases.unlink_activity(
            session, user=user, region_code=region_code, partner_id=partner_id, activity_id=activity_id,
            now=runtime().clock(),
        )  # fmt: skip
    flash(_("De partner doet niet meer mee aan deze activiteit."), "success")
    return _back(region_code, partner_id, "activiteiten")


@partners.post("/partners/<region_code>/<int:partner_id>/documenten")
def upload_document(region_code: str, partner_id: int) -> BaseResponse | tuple[str, int]:
    rt = runtime()
    kind = _text("document_kind")
    upload = request.files.get("document")
    try:
        with page_call(write=True) as (session, user):
            document = partner_cases.add_document(
                session,
                user=user,
                region_code=region_code,
                partner_id=partner_id,
                kind=kind,
                filename=(upload.filename or "") if upload else "",
                content_type=(upload.mimetype or "") if upload else "",
                content=upload.read(rt.settings.max_upload_bytes + 1) if upload else b"",
                max_bytes=rt.settings.max_upload_bytes,
                now=rt.clock(),
            )
            filename = document.filename
    except InvalidInput as err:  # rolled back: the file was not kept
        return _render_partner(region_code, partner_id, field_errors(err), {"document_kind": kind}), 422
    flash(_("Het document %(filename)s is opgeslagen.", filename=filename), "success")
    return _back(region_code, partner_id, "documenten")


@partners.get("/partners/<region_code>/<int:partner_id>/documenten/<int:document_id>")
def download_document(region_code: str, partner_id: int, document_id: int) -> Response:
    with page_call(write=False) as (session, user):
        document = partner_cases.get_document(
            session, user=user, region_code=region_code, partner_id=partner_id, document_id=document_id
        )
        return file_download(document.content, document.filename, fallback="document")
