"""People and roles: administrators manage users and their roles per region, and the regions themselves."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain import people as people_cases
from ...domain.errors import Conflict, InvalidInput
from ...domain.passwords import MIN_PASSWORD_LENGTH
from ..messages import field_errors, translate
from ..runtime import runtime
from ..session_auth import page_call

people = Blueprint("people", __name__, url_prefix="/beheer")


def _errors(err: InvalidInput) -> dict[str, str]:
    return field_errors(err)


@people.get("/gebruikers")
def users() -> str:
    search = request.args.get("zoek", "")
    with page_call(write=False) as (session, actor):
        found = people_cases.list_users(session, actor=actor, search=search)
        return render_template("people_users.html", users=found, search=search)


def _render_new_user(values: dict[str, str], errors: dict[str, str]) -> str:
    with page_call(write=False) as (_session, actor):
        people_cases.require_admin(actor)
        return render_template(
            "people_new_user.html",
            values=values,
            errors=errors,
            min_password_length=MIN_PASSWORD_LENGTH,
        )


@people.get("/gebruikers/nieuw")
def new_user() -> str:
    return _render_new_user({"name": "", "email": "", "method": "invitation"}, {})


@people.post("/gebruikers/nieuw")
def create_user() -> Response | tuple[str, int]:
    rt = runtime()
    values = {
        "name": request.form.get("name", ""),
        "email": request.form.get("email", ""),
        "method": "invitation" if request.form.get("method") == "invitation" else "password",
    }
    invite = values["method"] == "invitation"
    try:
        with page_call(write=True) as (session, actor):
            created = people_cases.add_user(
                session,
                actor=actor,
                name=values["name"],
                email=values["email"],
                password=None if invite else request.form.get("password", ""),
                now=rt.clock(),
                fast_hash=rt.settings.fast_password_hashing,
            )
            user_id, email = created.id, created.email
    except InvalidInput as err:  # rolled back: nothing was saved
        return _render_new_user(values, _errors(err)), 422
    if invite:
        message = _(
            "Gebruiker %(email)s is aangemaakt en krijgt een uitnodiging per e-mail om zelf een wachtwoord te kiezen. "
            "Geef deze persoon nu een rol.",
            email=email,
        )
    else:
        message = _("Gebruiker %(email)s is aangemaakt. Geef deze persoon nu een rol.", email=email)
    flash(message, "success")
    return redirect(url_for("people.user", user_id=user_id))


def _render_user(user_id: int, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> str:
    with page_call(write=False) as (session, actor):
        view = people_cases.describe_user(session, actor=actor, user_id=user_id)
        return render_template("people_user.html", view=view, values=values or {}, errors=errors or {})


@people.get("/gebruikers/<int:user_id>")
def user(user_id: int) -> str:
    return _render_user(user_id)


@people.post("/gebruikers/<int:user_id>/rollen")
def grant_role(user_id: int) -> Response | tuple[str, int]:
    values = {"region": request.form.get("region", ""), "role": request.form.get("role", "")}
    try:
        with page_call(write=True) as (session, actor):
            granted = people_cases.grant_user_role(
                session, actor=actor, user_id=user_id, region_code=values["region"], role=values["role"], now=_now()
            )
    except InvalidInput as err:
        return _render_user(user_id, values=values, errors=_errors(err)), 422
    flash(_("De rol is toegekend.") if granted else _("Deze gebruiker had die rol al."), "success")
    return redirect(url_for("people.user", user_id=user_id))


@people.post("/gebruikers/<int:user_id>/rollen/intrekken")
def revoke_role(user_id: int) -> Response:
    with page_call(write=True) as (session, actor):
        revoked = people_cases.revoke_user_role(
            session,
            actor=actor,
            user_id=user_id,
            region_code=request.form.get("region", ""),
            role=request.form.get("role", ""),
            now=_now(),
        )
    flash(_("De rol is ingetrokken.") if revoked else _("Deze gebruiker had die rol niet (meer)."), "success")
    return redirect(url_for("people.user", user_id=user_id))


@people.post("/gebruikers/<int:user_id>/uitnodigen")
def invite(user_id: int) -> Response:
    try:
        with page_call(write=True) as (session, actor):
            email = people_cases.invite_again(session, actor=actor, user_id=user_id, now=_now()).email
    except Conflict as err:
        flash(translate(err.message), "error")
    else:
        sent = _("Er is een nieuwe uitnodiging gestuurd aan %(email)s; de vorige link werkt niet meer.", email=email)
        flash(sent, "success")
    return redirect(url_for("people.user", user_id=user_id))


@people.post("/gebruikers/<int:user_id>/deactiveren", endpoint="deactivate", defaults={"active": False})
@people.post("/gebruikers/<int:user_id>/heractiveren", endpoint="reactivate", defaults={"active": True})
def set_active(user_id: int, active: bool) -> Response:
    with page_call(write=True) as (session, actor):
        people_cases.set_user_active(session, actor=actor, user_id=user_id, active=active, now=_now())
    if active:
        flash(_("De gebruiker is weer actief en kan zich aanmelden."), "success")
    else:
        flash(_("De gebruiker is gedeactiveerd en kan zich niet meer aanmelden."), "success")
    return redirect(url_for("people.user", user_id=user_id))


@people.post("/gebruikers/<int:user_id>/procesbeheer", endpoint="process_owner")
def process_owner(user_id: int) -> Response:
    owner = request.form.get("owner") == "ja"
    with page_call(write=True) as (session, actor):
        people_cases.set_process_owner_everywhere(session, actor=actor, user_id=user_id, owner=owner, now=_now())
    if owner:
        flash(_("Deze gebruiker is nu procesbeheerder voor alle regio's."), "success")
    else:
        flash(_("Deze gebruiker is geen procesbeheerder voor alle regio's meer."), "success")
    return redirect(url_for("people.user", user_id=user_id))


def _render_regions(values: dict[str, str], errors: dict[str, str]) -> str:
    with page_call(write=False) as (session, actor):
        regions = people_cases.list_regions(session, actor=actor)
        return render_template("people_regions.html", regions=regions, values=values, errors=errors)


@people.get("/regios")
def regions() -> str:
    return _render_regions({"code": "", "name": ""}, {})


@people.post("/regios")
def create_region() -> Response | tuple[str, int]:
    values = {"code": request.form.get("code", ""), "name": request.form.get("name", "")}
    try:
        with page_call(write=True) as (session, actor):
            region = people_cases.add_region(session, actor=actor, code=values["code"], name=values["name"], now=_now())
            name = region.name
    except InvalidInput as err:
        return _render_regions(values, _errors(err)), 422
    flash(_("Regio %(name)s is aangemaakt.", name=name), "success")
    return redirect(url_for("people.regions"))


def _now() -> datetime:
    return runtime().clock()
