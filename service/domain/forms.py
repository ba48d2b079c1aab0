"""Task forms: JSON Schemas from forms/, filled with the region's own choices, validated with Dutch messages.

A property may say `"x-sto-options": "programmalijnen"` or `"activiteiten"`: its allowed values then come from
the region's regioplan, so a form cannot point at a programme line that does not exist.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from sqlalchemy.orm import Session

from .. import engine
from ..models import HumanTask
from . import regioplan
from .definitions.versions import parsed_process
from .errors import InvalidInput
from .texts import N_, Text

# Every text field has a maximum length, also where its schema names none; every number a sane size.
MAX_TEXT_LENGTH = 10_000
MAX_NUMBER = 10**12
_MAX_NUMBER_TEXT = "1.000.000.000.000"  # MAX_NUMBER as Dutch readers write it

_TYPE_MESSAGES = {
    "string": N_("Vul een tekst in."),
    "number": N_("Vul een getal in."),
    "integer": N_("Vul een geheel getal in."),
    "boolean": N_("Vul ja of nee in."),
    "object": N_("Vul een samengestelde waarde in."),
    "array": N_("Vul een lijst in."),
}
_OTHER_TYPE = N_("Deze waarde heeft niet het juiste soort.")


class FormLibrary:
    """The forms of each deployed version (they are versioned with the diagram), loaded once. Versions deployed
    before forms were versioned, and test diagrams deployed without their forms, read them from the forms folder."""

    def __init__(self, forms_dir: Path) -> None:
        self.forms_dir = forms_dir

    def schema(self, form_key: str, within: engine.ParsedProcess | None = None) -> dict[str, Any]:
        """The schema of a form of a version (`within`), as stored. Shared and cached: treat it as read-only."""
        if within is not None and form_key in within.files:
            return _version_form(within.key, form_key, within.files[form_key])
        return _load(self.forms_dir / form_key)

    def for_task(self, task: HumanTask, form_key: str) -> dict[str, Any]:
        """A form of the version the task's instance runs on."""
        return self.schema(form_key, parsed_process(task.instance.definition))


_version_forms: dict[tuple[str, str], dict[str, Any]] = {}


def _version_form(version_key: str, form_key: str, content: bytes) -> dict[str, Any]:
    found = _version_forms.get((version_key, form_key))
    if found is None:
        if len(_version_forms) > 2000:  # versions come and go with deploys; start over rather than grow for ever
            _version_forms.clear()
        found = _version_forms[(version_key, form_key)] = json.loads(content)
    return found


@cache
def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def schema_for_region(session: Session, schema: dict[str, Any], region_code: str) -> dict[str, Any]:
    """A copy of the schema where every x-sto-options marker became the region's current choices (an enum)."""
    properties = {}
    for name, prop in schema.get("properties", {}).items():
        items = prop.get("items")
        if isinstance(items, dict) and items.get("x-sto-options") is not None:  # a list to choose several from
            options = regioplan.list_options(session, region_code, items["x-sto-options"])
            enum = {"enum": [value for value, _label in options], "x-enumNames": [label for _value, label in options]}
            prop = {**prop, "items": {**items, **enum}}
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
        raise InvalidInput(N_("De gegevens moeten een object zijn."), {"": N_("Verwacht een object met velden.")})
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    fields: dict[str, str] = dict(_beyond_default_limits(data))
    service_made = {name for name, prop in schema.get("properties", {}).items() if prop.get("readOnly") is True}
    for name in service_made & {key for key, value in data.items() if value is not None}:
        # readOnly fields record what the service itself did (e.g. a partner accepting through a link): shown in
        # the history under their title, never typed in; otherwise anyone could claim the partner had signed.
        fields[name] = N_("Dit veld vult STO Flow zelf in; laat het weg.")
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        for name, message in _describe(error, schema):
            fields.setdefault(name, message)
    if fields:
        raise InvalidInput(N_("Niet alle velden zijn goed ingevuld."), fields)
    return {name: data.get(name) for name in schema.get("properties", {}) if name not in service_made} | data


def _beyond_default_limits(value: Any, path: str = "") -> Iterator[tuple[str, Text]]:
    """Limits every field has, also where its schema sets none: text of at most MAX_TEXT_LENGTH characters and
    finite numbers of at most MAX_NUMBER (NaN or 1e300 would break every page that shows the value later)."""
    if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
        yield path, N_("Gebruik hoogstens %(max)s tekens.", max=MAX_TEXT_LENGTH)
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, N_("Vul een gewoon getal in.")
    elif isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        yield path, N_("Vul een getal tot %(max)s in.", max=_MAX_NUMBER_TEXT)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _beyond_default_limits(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _beyond_default_limits(item, f"{path}.{index}" if path else str(index))


def _describe(error: ValidationError, schema: dict[str, Any]) -> list[tuple[str, Text]]:
    path = ".".join(str(p) for p in error.absolute_path)
    kind = error.validator
    if kind == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        prefix = f"{path}." if path else ""
        return [(prefix + name, N_("Dit veld is verplicht.")) for name in error.validator_value if name not in present]
    if kind == "additionalProperties":
        allowed = set((error.schema or {}).get("properties", {}))
        extra = [k for k in (error.instance or {}) if k not in allowed]
        return [(name, N_("Dit veld hoort niet bij dit formulier.")) for name in extra]
    return [(path, _message(kind, error))]


def _message(kind: str, error: ValidationError) -> Text:
    value = error.validator_value
    if kind == "type":
        wanted = [w for w in (value if isinstance(value, list) else [value]) if w != "null"]
        return _TYPE_MESSAGES.get(wanted[0]) if len(wanted) == 1 and wanted[0] in _TYPE_MESSAGES else _OTHER_TYPE
    if kind == "enum":
        return N_("Kies een van de mogelijkheden.")
    if kind == "const":
        return N_("Deze waarde is hier niet toegestaan.")
    if kind == "minLength":
        return N_("Vul dit veld in.") if value <= 1 else N_("Gebruik minstens %(min)s tekens.", min=value)
    if kind == "maxLength":
        return N_("Gebruik hoogstens %(max)s tekens.", max=value)
    if kind == "minimum":
        return N_("De waarde moet minstens %(min)s zijn.", min=value)
    if kind == "exclusiveMinimum":
        return N_("De waarde moet groter zijn dan %(min)s.", min=value)
    if kind == "maximum":
        return N_("De waarde mag hoogstens %(max)s zijn.", max=value)
    if kind == "exclusiveMaximum":
        return N_("De waarde moet kleiner zijn dan %(max)s.", max=value)
    if kind == "format" and value == "date":
        return N_("Vul een geldige datum in (jjjj-mm-dd).")
    if kind in ("format", "pattern"):
        return N_("Deze waarde heeft niet de juiste vorm.")
    return N_("Deze waarde is ongeldig.")
