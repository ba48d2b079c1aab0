"""Validation messages in the user's language: the domain's Dutch texts and marshmallow's English ones both go
through the catalogue (whose msgids are Dutch), so a Dutch user reads Dutch and an English user English."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext

from ..domain.errors import InvalidInput
from ..domain.texts import N_, Text


def translate(message: str) -> str:
    """The message in the current language (a plain string is looked up as a msgid, or shown as it is)."""
    if isinstance(message, Text):
        return gettext(message.msgid, **message.params)
    return gettext(message) if message else message


def translate_fields(fields: dict[str, str]) -> dict[str, str]:
    """Each field's message in the current language."""
    return {name: translate(message) for name, message in fields.items()}


# marshmallow's built-in messages (its defaults in marshmallow 4), each mapped to a Dutch msgid.
_MARSHMALLOW: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"Missing data for required field\."), lambda: N_("Dit veld is verplicht.")),
    (re.compile(r"Field may not be null\."), lambda: N_("Dit veld mag niet leeg zijn.")),
    (re.compile(r"Unknown field\."), lambda: N_("Onbekend veld.")),
    (re.compile(r"Not a valid string\."), lambda: N_("Vul een tekst in.")),
    (re.compile(r"Not a valid integer\."), lambda: N_("Vul een geheel getal in.")),
    (re.compile(r"Not a valid number\."), lambda: N_("Vul een getal in.")),
    (re.compile(r"Not a valid boolean\."), lambda: N_("Vul ja of nee in.")),
    (re.compile(r"Not a valid (?:mapping type|dict)\.|Invalid input type\."), lambda: N_("Verwacht een object.")),
    (re.compile(r"Not a valid list\."), lambda: N_("Verwacht een lijst.")),
    (re.compile(r"Not a valid (?:datetime|date)\."), lambda: N_("Vul een geldige datum in (jjjj-mm-dd).")),
    (re.compile(r"Special numeric values \(nan or infinity\) are not permitted\."), lambda: N_("Vul een getal in.")),
    (
        re.compile(r"Length must be between (\d+) and (\d+)\."),
        lambda lo, hi: N_("Gebruik %(min)s tot %(max)s tekens.", min=lo, max=hi),
    ),
    (re.compile(r"Shorter than minimum length (\d+)\."), lambda lo: N_("Gebruik minstens %(min)s tekens.", min=lo)),
    (re.compile(r"Longer than maximum length (\d+)\."), lambda hi: N_("Gebruik hoogstens %(max)s tekens.", max=hi)),
    (re.compile(r"Length must be (\d+)\."), lambda n: N_("Gebruik precies %(count)s tekens.", count=n)),
    (
        re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
        lambda lo, hi: N_("Vul een waarde van %(min)s tot en met %(max)s in.", min=lo, max=hi),
    ),
    (
        re.compile(r"Must be greater than or equal to (\S+)\."),
        lambda lo: N_("De waarde moet minstens %(min)s zijn.", min=lo),
    ),
    (
        re.compile(r"Must be less than or equal to (\S+)\."),
        lambda hi: N_("De waarde mag hoogstens %(max)s zijn.", max=hi),
    ),
    (re.compile(r"Must be one of: .*\."), lambda: N_("Kies een van de mogelijkheden.")),
    (re.compile(r"Not a valid email address\."), lambda: N_("Vul een geldig e-mailadres in.")),
]


def from_marshmallow(message: str) -> Text:
    """marshmallow's English message as a Dutch Text (an unknown one becomes a general message)."""
    for pattern, make in _MARSHMALLOW:
        match = pattern.fullmatch(message)
        if match:
            return make(*match.groups())  # type: ignore[no-any-return]
    return N_("Deze waarde is ongeldig.")


def flatten_marshmallow(messages: Any, prefix: str = "") -> dict[str, Text]:
    """marshmallow's nested {field: [messages]} as {"data.bedrag": Dutch Text}; '_schema' means the whole body."""
    if not isinstance(messages, dict):
        items = messages if isinstance(messages, list) else [messages]
        texts = [from_marshmallow(str(m)) for m in items if not isinstance(m, dict | list)]
        flat: dict[str, Text] = {prefix: texts[0]} if texts else {}
        for m in items:
            if isinstance(m, dict | list):
                flat.update(flatten_marshmallow(m, prefix))
        return flat
    flat = {}
    for key, value in messages.items():
        name = "" if key == "_schema" else str(key)
        if key == "value" and prefix:  # a dict field's value errors: {"data": {"x": {"value": [...]}}}
            name = ""
        flat.update(flatten_marshmallow(value, f"{prefix}.{name}".strip(".") if name else prefix))
    return flat


def field_errors(err: InvalidInput) -> dict[str, str]:
    """A refused input's messages per field, in the current language ('' for the form as a whole)."""
    return translate_fields(dict(err.fields)) or {"": translate(err.message)}
