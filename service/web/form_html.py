"""Task forms as plain HTML: JSON Schema (plus an optional rjsf-style UI schema) to fields, and a submitted
HTML form back to typed JSON data. Works without JavaScript; the server validates everything again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from ..domain.money import format_euro
from ..domain.texts import N_, Text


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
    for name in [n for n in order if n in properties and not properties[n].get("readOnly")]:
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
    if kind == "date" and isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return dutch_day(value)
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
        if kind == "file" or prop.get("readOnly"):  # readOnly: the service fills it in, never the form
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
    if kind == "date":
        day = read_day(text)
        return day.isoformat() if day is not None else text  # stored as ISO; unreadable text fails validation
    return text


# Dates as people here write them: 31-01-2027 (also 31/01/2027, 31.01.2027 and 1-2-2027) or ISO 2027-01-31.
_DUTCH_DAY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_day(text: str) -> date | None:
    """The day written as dd-mm-jjjj or jjjj-mm-dd, or None when it is no date."""
    text = text.strip()
    try:
        found = _DUTCH_DAY.fullmatch(text)
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        return date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None
    except ValueError:  # 31-02-2027 and the like
        return None


def dutch_day(iso: str) -> str:
    """An ISO day as dd-mm-jjjj, the way the form shows it; anything else as it is."""
    try:
        return date.fromisoformat(iso).strftime("%d-%m-%Y")
    except ValueError:
        return iso


def parse_dutch_number(text: str) -> Decimal | None:
    """The number in `text` as read_dutch_number reads it, or None."""
    try:
        return read_dutch_number(text)
    except ValueError:
        return None


# How people write amounts here, and how we read them:
# - a comma is the decimal separator; dots before it group thousands: "1.234,56", "1234,56", "0,5";
# - without a comma, dots in groups of three after a leading 1-9 are thousands: "1.234" and "7.500" mean 1234 and
#   7500, "1.234.567" a million and more;
# - a single dot followed by one, two or more than three digits can only be a decimal point: "12.5", "7500.50";
# - anything else is refused with a message that shows how to write it: "0.125" (an eighth, or 125 with a stray
#   zero?), "1.23.4", "1,234,5", NaN, Infinity, "1e3".
_PLAIN = re.compile(r"-?\d+")
_THOUSANDS = re.compile(r"-?[1-9]\d{0,2}(?:\.\d{3})+")
_DECIMAL_COMMA = re.compile(r"-?(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+),\d+")
_DECIMAL_POINT = re.compile(r"-?\d+\.(?:\d{1,2}|\d{4,})")


class UnreadableNumber(ValueError):
    """Text that is no number the way we write numbers; `message` says how to write it."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


def read_dutch_number(text: str) -> Decimal:
    """'7.500', '7500,50', '€ 7.500,00' and '7500.5' as numbers; UnreadableNumber for anything else."""
    cleaned = text.replace("€", "").replace("EUR", "").replace(" ", "").replace("\u00a0", "")
    if _PLAIN.fullmatch(cleaned):
        return Decimal(cleaned)
    if _THOUSANDS.fullmatch(cleaned):
        return Decimal(cleaned.replace(".", ""))
    if _DECIMAL_COMMA.fullmatch(cleaned):
        return Decimal(cleaned.replace(".", "").replace(",", "."))
    if _DECIMAL_POINT.fullmatch(cleaned):
        return Decimal(cleaned)
    if re.fullmatch(r"[-\d.,]+", cleaned) and re.search(r"\d", cleaned):
        raise UnreadableNumber(N_("Dit getal is niet eenduidig. Schrijf het bedrag als 1234,56 of 1.234,56."))
    raise UnreadableNumber(N_("Vul een getal in, bijvoorbeeld 1234,56 of 1.234,56."))


def input_problems(schema: dict[str, Any], ui_schema: dict[str, Any] | None, raw: dict[str, Any]) -> dict[str, Text]:
    """For each number or date field whose typed text is no number or date: a message that says how to write it."""
    ui_schema = ui_schema or {}
    problems: dict[str, Text] = {}
    for name, prop in schema.get("properties", {}).items():
        text = raw.get(name)
        if not isinstance(text, str) or not text:
            continue
        kind = field_kind(prop, ui_schema.get(name, {}))
        if kind in ("euro", "number"):
            try:
                read_dutch_number(text)
            except UnreadableNumber as err:
                problems[name] = err.message
        elif kind == "date" and read_day(text) is None:
            problems[name] = N_("Vul een bestaande datum in als dd-mm-jjjj, bijvoorbeeld 31-01-2027.")
    return problems


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
    if prop.get("format") == "date-time" and isinstance(value, str):
        try:
            return format_datetime(datetime.fromisoformat(value), "d MMMM yyyy HH:mm")
        except ValueError:
            return value
    if kind == "date" and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), "d MMMM yyyy")
        except ValueError:
            return value
    return str(value)
