"""Marshmallow schemas of the API: they shape the JSON and feed the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=500))


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "Stuur mee als 'Authorization: Bearer <token>'"})
    expires_in = fields.Integer(metadata={"description": "Geldigheid in seconden"})


class ProcessSchema(Schema):
    key = fields.String(attribute="process_key")
    name = fields.String()
    version = fields.Integer()


class StartInstanceSchema(Schema):
    region = fields.String(required=True, validate=validate.Length(min=1, max=40))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class WithdrawInstanceSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class CompleteTaskSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class TaskSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(allow_none=True, metadata={"description": "De rol (lane) die de taak mag oppakken"})
    assignee = fields.Function(lambda t: t.assignee.email if t.assignee else None, allow_none=True)
    status = fields.String()
    due = fields.DateTime(attribute="due_at", allow_none=True)
    created_at = fields.DateTime()
    instance_id = fields.Integer()
    region = fields.String(attribute="region_code")
    process = fields.Function(lambda t: t.instance.definition.process_key)
    instance_title = fields.Function(lambda t: t.instance.title)


class TaskDetailSchema(TaskSchema):
    form_schema = fields.Dict(allow_none=True, metadata={"description": "JSON Schema van het formulier"})
    instructions = fields.String(allow_none=True)
    data = fields.Dict(metadata={"description": "Gegevens uit eerdere stappen"})


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(attribute="actor_label")
    action = fields.String()
    summary = fields.String()
    task_id = fields.Integer(allow_none=True)
    details = fields.Dict()


class InstanceSchema(Schema):
    id = fields.Integer()
    process = fields.Function(lambda i: i.definition.process_key)
    process_version = fields.Function(lambda i: i.definition.version)
    title = fields.String()
    region = fields.String(attribute="region_code")
    status = fields.String()
    started_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    data = fields.Dict()
    open_tasks = fields.List(fields.Nested(TaskSchema))


class InstanceDetailSchema(InstanceSchema):
    history = fields.List(fields.Nested(AuditEventSchema))


class ErrorSchema(Schema):
    error = fields.String(required=True)
    message = fields.String(
        required=True, metadata={"description": "Uitleg in de taal van Accept-Language (nl of en; standaard nl)"}
    )
    fields_ = fields.Dict(
        data_key="fields", metadata={"description": "Per veld (pad in de body, bijvoorbeeld 'titel') een foutmelding"}
    )
