"""Task forms: JSON Schemas from forms/, filled with the region's own choices, validated with Dutch messages.

A property may say `"x-sto-options": "programmalijnen"` or `"activiteiten"`: its allowed values then come from
the region's regioplan, so a form cannot point at a programme line that does not exist.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from sqlalchemy.orm import Session

from . import regioplan
from .errors import InvalidInput

_TYPE_NAMES = {
    "string": "een tekst",
    "number": "een getal",
    "integer": "een geheel getal",
    "boolean": "ja of nee",
    "object": "een samengestelde waarde",
    "array": "een lijst",
}


class FormLibrary:
    """The JSON Schemas in one directory, loaded once."""

    def __init__(self, forms_dir: Path) -> None:
        self.forms_dir = forms_dir

    def schema(self, form_key: str) -> dict[str, Any]:
        """The schema of a form, as stored. Shared and cached: treat it as read-only."""
        return _load(self.forms_dir / form_key)


@cache
def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def schema_for_region(session: Session, schema: dict[str, Any], region_code: str) -> dict[str, Any]:
    """A copy of the schema where every x-sto-options marker became the region's current choices (an enum)."""
    properties = {}
    for name, prop in schema.get("properties", {}).items():
        source = prop.get("x-sto-options")
        if source is not None:
            options = regioplan.list_options(session, region_code, source)
            values: list[Any] = [value for value, _label in options]
            labels = [label for _value, label in options]
            allowed = prop.get("type")
            if allowed == "null" or (isinstance(allowed, list) and "null" in allowed):
                values.append(None)
                labels.append("(geen)")
            prop = {**prop, "enum": values, "x-enumNames": labels}
        properties[name] = prop
    return {**schema, "properties": properties}


def validate_submission(schema: dict[str, Any], data: Any) -> dict[str, Any]:
    """Return the submission with every form field present (missing optional ones as None), or InvalidInput."""
    if not isinstance(data, dict):
        raise InvalidInput("De gegevens moeten een object zijn.", {"": "Verwacht een object met velden."})
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    fields: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        for name, message in _describe(error, schema):
            fields.setdefault(name, message)
    if fields:
        raise InvalidInput("Niet alle velden zijn goed ingevuld.", fields)
    return {name: data.get(name) for name in schema.get("properties", {})} | data


def _describe(error: ValidationError, schema: dict[str, Any]) -> list[tuple[str, str]]:
    path = ".".join(str(p) for p in error.absolute_path)
    kind = error.validator
    if kind == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        prefix = f"{path}." if path else ""
        return [(prefix + name, "Dit veld is verplicht.") for name in error.validator_value if name not in present]
    if kind == "additionalProperties":
        allowed = set((error.schema or {}).get("properties", {}))
        extra = [k for k in (error.instance or {}) if k not in allowed]
        return [(name, "Dit veld hoort niet bij dit formulier.") for name in extra]
    return [(path, _message(kind, error))]


def _message(kind: str, error: ValidationError) -> str:
    value = error.validator_value
    if kind == "type":
        wanted = value if isinstance(value, list) else [value]
        names = " of ".join(_TYPE_NAMES.get(w, w) for w in wanted if w != "null")
        return f"Vul {names} in."
    if kind == "enum":
        return "Kies een van de mogelijkheden."
    if kind == "const":
        return "Deze waarde is hier niet toegestaan."
    if kind == "minLength":
        return "Vul dit veld in." if value <= 1 else f"Gebruik minstens {value} tekens."
    if kind == "maxLength":
        return f"Gebruik hoogstens {value} tekens."
    if kind == "minimum":
        return f"De waarde moet minstens {value} zijn."
    if kind == "exclusiveMinimum":
        return f"De waarde moet groter zijn dan {value}."
    if kind == "maximum":
        return f"De waarde mag hoogstens {value} zijn."
    if kind == "exclusiveMaximum":
        return f"De waarde moet kleiner zijn dan {value}."
    if kind == "format" and value == "date":
        return "Vul een geldige datum in (jjjj-mm-dd)."
    if kind == "format":
        return "Deze waarde heeft niet de juiste vorm."
    if kind == "pattern":
        return "Deze waarde heeft niet de juiste vorm."
    return "Deze waarde is ongeldig."
