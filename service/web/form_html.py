"""Task forms as plain HTML: JSON Schema (plus an optional rjsf-style UI schema) to fields, and a submitted
HTML form back to typed JSON data. Works without JavaScript; the server validates everything again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict


@dataclass
class FieldView:
    """One form field as the template draws it."""

    name: str
    label: str
    kind: str  # text, textarea, euro, number, date, yesno, select, radio, checkboxes, file
    required: bool
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = ""  # what to show: the user's own input when the form comes back with errors
    error: str | None = None
    max_length: int | None = None


def _widget(prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
    return ui.get("ui:widget") or prop.get("x-widget")


def _types(prop: dict[str, Any]) -> list[str]:
    kind = prop.get("type", "string")
    return kind if isinstance(kind, list) else [kind]


def _options(prop: dict[str, Any]) -> list[tuple[str, str]]:
    if "oneOf" in prop:  # rjsf style: [{"const": ..., "title": ...}]
        return [(str(o["const"]), str(o.get("title", o["const"]))) for o in prop["oneOf"] if "const" in o]
    values = [v for v in prop.get("enum", []) if v is not None]
    labels = prop.get("x-enumNames") or []
    named = dict(zip(prop.get("enum", []), labels, strict=False)) if labels else {}
    return [(str(v), str(named.get(v, v))) for v in values]


def field_kind(prop: dict[str, Any], ui: dict[str, Any] | None = None) -> str:
    """The widget a schema property gets."""
    ui = ui or {}
    widget = _widget(prop, ui)
    types = _types(prop)
    if widget == "file":
        return "file"
    if "array" in types:
        return "checkboxes"
    if "boolean" in types:
        return "yesno"
    if "enum" in prop or "oneOf" in prop:
        return "radio" if widget == "radio" else "select"
    if "number" in types or "integer" in types:
        return "euro" if widget == "euro" else "number"
    if prop.get("format") == "date":
        return "date"
    return "textarea" if widget == "textarea" else "text"


def build_fields(
    schema: dict[str, Any],
    ui_schema: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> list[FieldView]:
    """The fields of a form in display order, filled with `values` (typed data or raw input)."""
    ui_schema = ui_schema or {}
    properties = schema.get("properties", {})
    order = ui_schema.get("ui:order") or list(properties)
    required = set(schema.get("required", []))
    fields = []
    for name in [n for n in order if n in properties]:
        prop, ui = properties[name], ui_schema.get(name, {})
        kind = field_kind(prop, ui)
        fields.append(
            FieldView(
                name=name,
                label=prop.get("title", name),
                kind=kind,
                required=name in required,
                help=ui.get("ui:help") or prop.get("description", ""),
                options=_options(prop) if kind in ("select", "radio", "checkboxes") else [],
                value=_display_value(kind, values.get(name)),
                error=(errors or {}).get(name),
                max_length=prop.get("maxLength"),
            )
        )
        if kind == "checkboxes":
            fields[-1].options = _options(prop.get("items", {}))
    return fields


def _display_value(kind: str, value: Any) -> Any:
    if value is None:
        return [] if kind == "checkboxes" else ""
    if kind == "yesno" and isinstance(value, bool):
        return "ja" if value else "nee"
    if kind == "euro" and isinstance(value, int | float | Decimal):
        return format_euro(value, symbol=False)
    return value


def parse_submission(
    schema: dict[str, Any], ui_schema: dict[str, Any] | None, form: MultiDict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(typed data for validation, raw values to show again). Empty fields are left out, so a required one is
    reported as missing; text that is not a number stays text, so validation names the field."""
    ui_schema = ui_schema or {}
    data: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        kind = field_kind(prop, ui_schema.get(name, {}))
        if kind == "file":
            continue
        if kind == "checkboxes":
            chosen = form.getlist(name)
            raw[name] = chosen
            data[name] = chosen
            continue
        text = (form.get(name) or "").strip()
        raw[name] = text
        if text == "":
            continue
        data[name] = _typed(kind, prop, text)
    return data, raw


def _typed(kind: str, prop: dict[str, Any], text: str) -> Any:
    if kind == "yesno":
        return {"ja": True, "nee": False}.get(text, text)
    if kind in ("euro", "number"):
        number = parse_dutch_number(text)
        if number is None:
            return text
        if "integer" in _types(prop) and number == number.to_integral_value():
            return int(number)
        return float(number)
    return text


def parse_dutch_number(text: str) -> Decimal | None:
    """'7.500', '7500,50', '€ 7.500,00' and '7500.5' all read as numbers; anything else is None."""
    cleaned = text.replace("€", "").replace("EUR", "").replace(" ", "").replace("\u00a0", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif cleaned.count(".") > 1 or (cleaned.count(".") == 1 and len(cleaned.split(".")[1]) == 3):
        cleaned = cleaned.replace(".", "")  # 7.500 is seven thousand five hundred in Dutch
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def uploaded_files(schema: dict[str, Any], ui_schema: dict[str, Any] | None, files: Any) -> dict[str, FileStorage]:
    """The file fields the user actually filled."""
    ui_schema = ui_schema or {}
    chosen = {}
    for name, prop in schema.get("properties", {}).items():
        if field_kind(prop, ui_schema.get(name, {})) == "file":
            upload = files.get(name)
            if upload is not None and upload.filename:
                chosen[name] = upload
    return chosen


def format_euro(value: Any, *, symbol: bool = True) -> str:
    """EUR 7500.5 -> '€ 7.500,50' (Dutch notation)."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    whole, cents = f"{amount:,.2f}".split(".")
    text = f"{whole.replace(',', '.')},{cents}"
    return f"€ {text}" if symbol else text


def describe_value(prop: dict[str, Any], value: Any, ui: dict[str, Any] | None = None) -> str:
    """A submitted value as a person reads it: labels for choices, Ja/Nee, euros, file names."""
    kind = field_kind(prop, ui)
    if value is None or value == "":
        return "-"
    if kind == "yesno":
        return _("Ja") if value else _("Nee")
    if kind in ("select", "radio"):
        return dict(_options(prop)).get(str(value), str(value))
    if kind == "checkboxes":
        labels = dict(_options(prop.get("items", {})))
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if kind == "euro" and isinstance(value, int | float):
        return format_euro(value)
    if kind == "file" and isinstance(value, dict):
        return str(value.get("bestandsnaam", "bestand"))
    if kind == "date" and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), "d MMMM yyyy")
        except ValueError:
            return value
    return str(value)
