"""'Procesbeheer': process owners see every process with its versions, compare a version with the one before,
download its files, roll back, and deploy files they made elsewhere (a .bpmn, .dmn or form)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...domain import definitions
from ...domain.definitions import catalogue, diff
from ...domain.errors import InvalidInput
from ...models import Region
from ..downloads import file_download
from ..runtime import runtime
from ..session_auth import page_call

process_admin = Blueprint("process_admin", __name__, url_prefix="/procesbeheer")


def scopes(session: Any, user: Any) -> list[tuple[str, str]]:
    """What the user may deploy for: ('', every region) and the regions whose variants they own."""
    regions = session.query(Region).order_by(Region.name).all()
    found = [("", _("Alle regio's (gedeeld)"))] if definitions.owns_every_region(user) else []
    found += [(r.code, _("Alleen %(region)s", region=r.name)) for r in regions if definitions.may_edit(user, r.code)]
    return found


def _render_index(problems: list[definitions.Problem] | None = None, values: dict[str, str] | None = None) -> str:
    with page_call(write=False) as (session, user):
        entries = catalogue.list_catalogue(session, user=user)
        drafts = definitions.list_drafts(session, user=user)
        return render_template(
            "process_admin_index.html",
            entries=entries,
            drafts=drafts,
            scopes=scopes(session, user),
            problems=problems or [],
            values=values or {},
        )


@process_admin.get("")
def index() -> str:
    return _render_index()


@process_admin.post("/bestanden")
def upload() -> Response | tuple[str, int]:
    values = {"region": request.form.get("region", ""), "note": request.form.get("note", "")}
    files: dict[str, str] = {}
    unreadable = []
    for upload in request.files.getlist("files"):
        if not upload.filename:
            continue
        try:
            files[upload.filename] = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            unreadable.append(definitions.Problem(upload.filename, None, _("Dit bestand is geen UTF-8-tekst.")))
    if unreadable:
        return _render_index(unreadable, values), 422
    rt = runtime()
    try:
        with page_call(write=True) as (session, user):
            result = definitions.deploy(
                session,
                user=user,
                files=files,
                region_code=values["region"] or None,
                note=values["note"],
                now=rt.clock(),
                source="editor",
                lint=rt.linter,
            )
            created = [(d.name, d.version) for d in result.created]
    except definitions.DeployRefused as refused:
        return _render_index(refused.problems, values), 422
    if not created:
        flash(_("Er is niets veranderd: de bestanden zijn gelijk aan de versie die al in gebruik is."), "info")
    for name, version in created:
        flash(_("%(name)s versie %(version)s is in gebruik genomen.", name=name, version=version), "success")
    return redirect(url_for("process_admin.index"))


@process_admin.get("/<key>")
def process(key: str) -> str:
    with page_call(write=False) as (session, user):
        entry = catalogue.get_catalogue_entry(session, user=user, process_key=key)
        return render_template(
            "process_admin_process.html",
            entry=entry,
            drafts=[d for d in definitions.list_drafts(session, user=user) if d.process_key == key],
            scopes=scopes(session, user),
        )


@process_admin.get("/<key>/versies/<int:version>")
def version(key: str, version: int) -> str:
    with page_call(write=False) as (session, user):
        shown = catalogue.get_version(session, user=user, process_key=key, version=version)
        earlier = catalogue.previous_version(session, user=user, definition=shown)
        against = request.args.get("met", type=int)
        if against is not None:
            earlier = catalogue.get_version(session, user=user, process_key=key, version=against)
        changes = diff.compare(earlier.files if earlier else {}, shown.files)
        current = definitions.find_own_version(session, key, shown.region_code)
        return render_template(
            "process_admin_version.html",
            definition=shown,
            earlier=earlier,
            changes=changes,
            is_current=current is not None and current.id == shown.id,
            may_roll_back=definitions.may_edit(user, shown.region_code),
        )


@process_admin.get("/<key>/versies/<int:version>/bestanden/<name>")
def download(key: str, version: int, name: str) -> Response:
    with page_call(write=False) as (session, user):
        text = catalogue.get_version_file(session, user=user, process_key=key, version=version, name=name)
    return file_download(text.encode("utf-8"), name, fallback="bestand")


@process_admin.post("/<key>/versies/<int:version>/terugzetten")
def roll_back(key: str, version: int) -> Response:
    rt = runtime()
    try:
        with page_call(write=True) as (session, user):
            earlier = catalogue.get_version(session, user=user, process_key=key, version=version)
            created = definitions.roll_back(
                session,
                user=user,
                definition_id=earlier.id,
                note=request.form.get("note", ""),
                now=rt.clock(),
                lint=rt.linter,
            )
            new_version = created.version
    except definitions.DeployRefused as refused:
        flash(_("Terugzetten kan niet: %(why)s", why="; ".join(p.message for p in refused.problems[:3])), "error")
        return redirect(url_for("process_admin.version", key=key, version=version))
    except InvalidInput as err:
        flash(err.message, "error")
        return redirect(url_for("process_admin.version", key=key, version=version))
    flash(
        _("Versie %(old)s is opnieuw in gebruik genomen als versie %(new)s.", old=version, new=new_version), "success"
    )
    return redirect(url_for("process_admin.process", key=key))
