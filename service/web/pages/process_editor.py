"""The process editor: a process owner edits a process's diagram, decision tables and forms in the browser as a
draft, checks it, previews forms exactly as staff will see them, tries it with sample data, and deploys it.
The page's script talks JSON with these endpoints; every one checks the user's right for the scope (shared or a
region's variant)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ...domain import definitions, service_tasks, trials
from ...domain.definitions import bundles
from ...domain.errors import InvalidInput, NotFound
from ...domain.forms import schema_for_region, validate_submission
from ...models import ROLES
from ..filters import role_label
from ..form_html import build_fields, input_problems, parse_submission
from ..messages import translate, translate_fields
from ..runtime import runtime
from ..security_headers import inline_styles_allowed
from ..session_auth import page_call

process_editor = Blueprint("process_editor", __name__, url_prefix="/procesbeheer")


def _scope() -> str | None:
    region = request.args.get("regio") or None
    if region is not None and (not isinstance(region, str) or len(region) > 40):
        raise NotFound("Deze regio bestaat niet.")
    return region


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(_("Stuur een JSON-object mee."))
    return body


def _files(body: dict[str, Any]) -> dict[str, str]:
    files = body.get("files")
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise InvalidInput(_("De bestanden ontbreken."), {"files": _("Verwacht per bestandsnaam de tekst.")})
    return files


def _draft_json(view: definitions.DraftView) -> dict[str, Any]:
    saved = view.saved
    return {
        "revision": view.revision,
        "saved_by": saved.updated_by.name if saved else None,
        "saved_at": saved.updated_at.isoformat() if saved else None,
        "base_version": view.base.version if view.base else None,
        "current_version": view.current.version,
    }


def editor_options(files: dict[str, str]) -> dict[str, Any]:
    """What the modeler's panel offers: roles, the draft's forms and decisions, and the service operations."""
    decisions = sorted(
        {d for name, content in files.items() if bundles.kind_of(name) == "dmn" for d in bundles.decisions_in(content)}
    )
    return {
        "roles": [{"value": role, "label": role_label(role)} for role in ROLES],
        "forms": sorted(name for name in files if bundles.kind_of(name) == "json"),
        "decisions": [{"id": d, "name": d} for d in decisions],
        "operations": [{"id": op, "label": op, "params": []} for op in sorted(service_tasks.OPERATIONS)],
    }


@process_editor.get("/<key>/bewerken")
@inline_styles_allowed
def edit(key: str) -> str:
    region = _scope()
    with page_call(write=False) as (session, user):
        view = definitions.open_draft(session, user=user, process_key=key, region_code=region)
        return render_template(
            "process_editor.html",
            view=view,
            name=view.current.name,
            region=region,
            options=editor_options(view.files),
            draft=_draft_json(view),
        )


@process_editor.post("/<key>/concept")
def save(key: str) -> dict[str, Any]:
    region, body = _scope(), _json_body()
    revision = body.get("revision")
    if not isinstance(revision, int):
        raise InvalidInput(_("De versie van het concept ontbreekt."), {"revision": _("Verwacht een getal.")})
    with page_call(write=True) as (session, user):
        view = definitions.save_draft(
            session,
            user=user,
            process_key=key,
            region_code=region,
            files=_files(body),
            revision=revision,
            now=runtime().clock(),
        )
        return _draft_json(view)


@process_editor.post("/<key>/concept/controleren")
def check(key: str) -> dict[str, Any]:
    region, body = _scope(), _json_body()
    with page_call(write=False) as (session, user):
        problems = definitions.check_files(
            session, user=user, process_key=key, region_code=region, files=_files(body), lint=runtime().linter
        )
        return {"problems": [p.as_json() for p in problems]}


@process_editor.post("/<key>/concept/in-gebruik-nemen")
def deploy(key: str) -> tuple[dict[str, Any], int]:
    region, body = _scope(), _json_body()
    revision, note = body.get("revision"), body.get("note", "")
    if not isinstance(revision, int) or not isinstance(note, str):
        raise InvalidInput(_("De versie van het concept ontbreekt."))
    rt = runtime()
    try:
        with page_call(write=True) as (session, user):
            result = definitions.deploy_draft(
                session,
                user=user,
                process_key=key,
                region_code=region,
                revision=revision,
                note=note,
                now=rt.clock(),
                lint=rt.linter,
            )
            created = [(d.name, d.version) for d in result.created]
    except definitions.DeployRefused as refused:
        return {"errors": [p.as_json() for p in refused.problems]}, 422
    for name, version in created:
        flash(_("%(name)s versie %(version)s is in gebruik genomen.", name=name, version=version), "success")
    if not created:
        flash(_("Er is niets veranderd: het concept is gelijk aan de versie die al in gebruik is."), "info")
    return {"versions": [v for _n, v in created], "next": url_for("process_admin.process", key=key)}, 201


@process_editor.post("/<key>/concept/weggooien")
def discard(key: str) -> Response:
    region = _scope()
    with page_call(write=True) as (session, user):
        definitions.discard_draft(session, user=user, process_key=key, region_code=region)
    flash(_("Het concept is weggegooid; de versie in gebruik is niet veranderd."), "success")
    return redirect(url_for("process_admin.process", key=key))


@process_editor.post("/formulier-voorbeeld")
def form_preview() -> dict[str, Any]:
    """The form as staff will see it (drawn by the task page's own renderer), and with `values` the Dutch
    messages a submission of those values would get."""
    body = _json_body()
    region = body.get("region") if isinstance(body.get("region"), str) else None
    with page_call(write=False) as (session, user):
        if not definitions.is_process_owner(user):
            raise NotFound("Niet gevonden.")
        try:
            schema = json.loads(body.get("schema") or "{}")
            ui = json.loads(body.get("uischema") or "{}")
        except (TypeError, ValueError) as err:
            return {"html": "", "problem": _("Geen geldige JSON: %(why)s", why=str(err))}
        if not isinstance(schema, dict) or not isinstance(ui, dict):
            return {"html": "", "problem": _("Een formulier is een JSON-object.")}
        problems = definitions.form_problems("formulier.schema.json", json.dumps(schema))
        if problems:
            return {"html": "", "problem": problems[0].message}
        if region:
            schema = schema_for_region(session, schema, region)
        values = body.get("values")
        errors: dict[str, str] = {}
        raw: dict[str, Any] = {}
        if isinstance(values, dict):
            errors, raw = _submission_errors(schema, ui, values)
        html = render_template("process_form_preview.html", fields=build_fields(schema, ui, raw, errors), errors=errors)
        return {"html": html, "errors": errors, "problem": None}


def _submission_errors(
    schema: dict[str, Any], ui: dict[str, Any], values: dict[str, Any]
) -> tuple[dict[str, str], dict[str, Any]]:
    """What the task page would say to these typed values (nothing is stored)."""
    form: MultiDict[str, str] = MultiDict()
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            form.add(str(name), str(item))
    data, raw = parse_submission(schema, ui, form)
    try:
        validate_submission(schema, data)
    except InvalidInput as err:
        fields = translate_fields(dict(err.fields) | input_problems(schema, ui, raw))
        return fields or {"": translate(err.message)}, raw
    return {}, raw


@process_editor.post("/<key>/concept/proberen")
def trial(key: str) -> dict[str, Any]:
    """Replay the editor's files from the start with the answers so far; each answer's typed values are read
    exactly as the task page reads them. Nothing is stored, mailed or written."""
    region, body = _scope(), _json_body()
    files = _files(body)
    with page_call(write=False) as (_session, user):
        definitions.require_process_owner(user, region)
    answers = body.get("answers")
    if not isinstance(answers, list):
        raise InvalidInput(_("De antwoorden moeten een lijst zijn."), {"answers": _("Verwacht een lijst.")})
    run = trials.try_draft(
        files,
        process_key=key,
        start_data=body.get("start_data"),
        answers=[_typed_answer(files, key, answer) for answer in answers[: trials.MAX_ANSWERS + 1]],
        service_results=body.get("service_results") or {},
        now=runtime().clock(),
    )
    return {
        "path": list(run.path),
        "steps": [
            {"element": s.element_id, "name": s.name, "kind": s.kind, "lane": s.lane, "detail": _step_detail(s)}
            for s in run.steps
        ],
        "waiting": [_waiting_json(files, w) for w in run.waiting],
        "finished": run.finished,
        "error": run.error,
        "error_element": run.error_element,
    }


def _form_of(files: dict[str, str], name: str | None) -> dict[str, Any]:
    try:
        found = json.loads(files.get(name or "", "") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _typed_answer(files: dict[str, str], key: str, answer: Any) -> Any:
    """{"task", "values"} (what the trial's form held, as text) to {"task", "data"}; anything else unchanged."""
    if not isinstance(answer, dict) or "values" not in answer or not isinstance(answer.get("values"), dict):
        return answer
    task = answer.get("task")
    form_name = ui_name = None
    for user_task in trials.user_tasks_of(files, key):
        if user_task.spec_name == task:
            form_name, ui_name = user_task.form, user_task.ui_form
    form: MultiDict[str, str] = MultiDict()
    for name, value in answer["values"].items():
        for item in value if isinstance(value, list) else [value]:
            form.add(str(name), str(item))
    data, _raw = parse_submission(_form_of(files, form_name), _form_of(files, ui_name), form)
    return {"task": task, "data": data}


def _step_detail(step: Any) -> str:
    if step.service_call is not None:
        return _("genoteerd, niet uitgevoerd: %(op)s", op=step.service_call.operation)
    shown = ", ".join(f"{k} = {v!r}" for k, v in list(step.changes.items())[:6])
    return shown[:300]


def _waiting_json(files: dict[str, str], waiting: Any) -> dict[str, Any]:
    found = {"kind": "timer" if waiting.kind == "timer" else "taak", "id": waiting.element_id, "name": waiting.name}
    found |= {"task": waiting.element_id, "lane": role_label(waiting.lane) if waiting.lane else ""}
    if waiting.kind != "timer":
        schema, ui = _form_of(files, waiting.form), _form_of(files, waiting.ui_form)
        fields = build_fields(schema, ui, dict(waiting.data))
        found["form_html"] = render_template("process_form_preview.html", fields=fields, errors={})
    return found
