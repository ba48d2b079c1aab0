"""Process definitions in the API, for process owners: list processes with their versions, deploy files as new
versions (multipart, field `files`), download a version's files, and roll back to an earlier version."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from ...domain import definitions
from ...domain.definitions import catalogue
from ...domain.errors import InvalidInput
from ..downloads import file_download
from ..runtime import runtime
from .auth import api_call
from .blueprint import api
from .definition_schemas import DefinitionVersionSchema, DeployProblemSchema

_VERSION = DefinitionVersionSchema()
_PROBLEMS = DeployProblemSchema(many=True)


def _version_json(definition: Any, running: int = 0) -> dict[str, Any]:
    return _VERSION.dump(definition) | {"running_instances": running}


def _refused(problems: list[definitions.Problem]) -> tuple[dict[str, Any], int]:
    return {"errors": _PROBLEMS.dump([p.as_json() for p in problems])}, 422


def uploaded_files() -> tuple[dict[str, str], list[definitions.Problem]]:
    """The uploaded files (field `files`) as text, and the ones that are not UTF-8 text."""
    files: dict[str, str] = {}
    problems: list[definitions.Problem] = []
    for upload in request.files.getlist("files"):
        name = upload.filename or ""
        try:
            files[name] = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            problems.append(definitions.Problem(name, None, "Dit bestand is geen UTF-8-tekst."))
    return files, problems


@api.get("/definitions")
def list_definitions() -> dict[str, Any]:
    with api_call(write=False) as (session, user):
        entries = catalogue.list_catalogue(session, user=user)
        return {
            "definitions": [
                {
                    "process_key": e.process_key,
                    "name": e.name,
                    "current_version": e.current.version if e.current else None,
                    "variants": {region: d.version for region, d in sorted(e.variants.items())},
                    "versions": [_version_json(row.definition, row.running) for row in e.versions],
                }
                for e in entries
            ]
        }


@api.post("/definitions")
def deploy_definitions() -> tuple[dict[str, Any], int]:
    with api_call(write=True) as (session, user):
        files, unreadable = uploaded_files()
        if unreadable:
            return _refused(unreadable)
        region = request.form.get("region") or None
        try:
            result = definitions.deploy(
                session,
                user=user,
                files=files,
                region_code=region,
                note=request.form.get("note", ""),
                now=runtime().clock(),
                source="api",
                lint=runtime().linter,
            )
        except definitions.DeployRefused as refused:
            return _refused(refused.problems)
        return {
            "versions": [_version_json(d) for d in result.created],
            "unchanged": [_version_json(d) for d in result.unchanged],
            "warnings": _PROBLEMS.dump([p.as_json() for p in result.warnings]),
        }, 201 if result.created else 200


@api.get("/definitions/<key>/versions/<int:version>")
def get_definition_version(key: str, version: int) -> dict[str, Any]:
    with api_call(write=False) as (session, user):
        return _version_json(catalogue.get_version(session, user=user, process_key=key, version=version))


@api.get("/definitions/<key>/versions/<int:version>/files/<name>")
def download_definition_file(key: str, version: int, name: str) -> Response:
    with api_call(write=False) as (session, user):
        text = catalogue.get_version_file(session, user=user, process_key=key, version=version, name=name)
    return file_download(text.encode("utf-8"), name, fallback="bestand")


@api.post("/definitions/<key>/versions/<int:version>/rollback")
def roll_back_definition(key: str, version: int) -> tuple[dict[str, Any], int]:
    with api_call(write=True) as (session, user):
        earlier = catalogue.get_version(session, user=user, process_key=key, version=version)
        body = request.get_json(silent=True) if request.is_json else None
        note = body.get("note", "") if isinstance(body, dict) else ""
        if not isinstance(note, str):
            raise InvalidInput("De toelichting moet tekst zijn.", {"note": "Verwacht tekst."})
        try:
            created = definitions.roll_back(
                session, user=user, definition_id=earlier.id, note=note, now=runtime().clock(), lint=runtime().linter
            )
        except definitions.DeployRefused as refused:
            return _refused(refused.problems)
        return _version_json(created), 201
