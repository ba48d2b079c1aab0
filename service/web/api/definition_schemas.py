"""The JSON shapes of deployed process definitions in the API."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields


class DefinitionFileSchema(Schema):
    name = fields.String()
    url = fields.String(metadata={"description": "Het bestand downloaden"})


class DefinitionVersionSchema(Schema):
    process_key = fields.String()
    version = fields.Integer()
    name = fields.String()
    region = fields.String(
        attribute="region_code", allow_none=True, metadata={"description": "De regio van een variant; null: gedeeld"}
    )
    deployed_by = fields.String()
    deployed_at = fields.DateTime()
    source = fields.String(metadata={"description": "bestanden, editor, api of terugzetten"})
    note = fields.String()
    restored_from = fields.Integer(allow_none=True, metadata={"description": "Teruggezet naar deze versie"})
    sha256 = fields.String()
    files = fields.Method("_files")
    running_instances = fields.Integer(metadata={"description": "Lopende instanties op deze versie"})

    def _files(self, definition: Any) -> list[dict[str, str]]:
        return [
            {
                "name": name,
                "url": url_for(
                    "api.download_definition_file",
                    key=definition.process_key,
                    version=definition.version,
                    name=name,
                ),
            }
            for name in sorted(definition.files)
        ]


class DefinitionSchema(Schema):
    process_key = fields.String()
    name = fields.String()
    current_version = fields.Integer(allow_none=True, metadata={"description": "De gedeelde versie die nu geldt"})
    variants = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Per regio de eigen variant"}
    )
    versions = fields.List(fields.Nested(DefinitionVersionSchema))


class DefinitionListSchema(Schema):
    definitions = fields.List(fields.Nested(DefinitionSchema))


class DeployProblemSchema(Schema):
    file = fields.String(allow_none=True)
    element = fields.String(allow_none=True, metadata={"description": "Het id van het BPMN-/DMN-element"})
    message = fields.String()
    severity = fields.String(metadata={"description": "fout (geweigerd) of waarschuwing"})


class DeployResultSchema(Schema):
    versions = fields.List(fields.Nested(DefinitionVersionSchema), metadata={"description": "De nieuwe versies"})
    unchanged = fields.List(
        fields.Nested(DefinitionVersionSchema), metadata={"description": "Processen waarvan niets veranderde"}
    )
    warnings = fields.List(fields.Nested(DeployProblemSchema))


class DeployRefusedSchema(Schema):
    errors = fields.List(fields.Nested(DeployProblemSchema), required=True)
