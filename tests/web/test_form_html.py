"""Form fields from JSON Schema, and submitted HTML forms read back as typed data (no database)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from service.web.form_html import build_fields, describe_value, input_problems, parse_dutch_number, parse_submission

SCHEMA = {
    "type": "object",
    "required": ["naam", "akkoord"],
    "properties": {
        "naam": {"type": "string", "title": "Naam", "maxLength": 50, "description": "Voor- en achternaam"},
        "toelichting": {"type": ["string", "null"], "title": "Toelichting"},
        "bedrag": {"type": "number", "title": "Bedrag", "x-widget": "euro"},
        "jaar": {"type": "integer", "title": "Jaar"},
        "datum": {"type": "string", "format": "date", "title": "Datum"},
        "akkoord": {"type": "boolean", "title": "Akkoord?"},
        "profiel": {"type": "string", "enum": ["BWI", "PIE"], "x-enumNames": ["Bouwen Wonen Interieur", "PIE"]},
        "leerwegen": {
            "type": "array",
            "title": "Leerwegen",
            "uniqueItems": True,
            "items": {"type": "string", "enum": ["BB", "KB"], "x-enumNames": ["Basis", "Kader"]},
        },
        "bijlage": {"type": ["object", "null"], "x-widget": "file", "title": "Bijlage"},
    },
}
UI = {"toelichting": {"ui:widget": "textarea", "ui:help": "Optioneel"}, "profiel": {"ui:widget": "radio"}}


@pytest.fixture(autouse=True)
def _request_context(app):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        yield


def test_each_schema_type_gets_its_widget() -> None:
    kinds = {f.name: f.kind for f in build_fields(SCHEMA, UI, {})}
    assert kinds == {
        "naam": "text", "toelichting": "textarea", "bedrag": "euro", "jaar": "number", "datum": "date",
        "akkoord": "yesno", "profiel": "radio", "leerwegen": "checkboxes", "bijlage": "file",
    }  # fmt: skip
    fields = {f.name: f for f in build_fields(SCHEMA, UI, {})}
    assert fields["naam"].required and not fields["toelichting"].required
    assert fields["toelichting"].help == "Optioneel" and fields["naam"].help == "Voor- en achternaam"
    assert fields["leerwegen"].options == [("BB", "Basis"), ("KB", "Kader")]


def test_ui_order_decides_the_order() -> None:
    names = [f.name for f in build_fields(SCHEMA, {"ui:order": ["jaar", "naam"]}, {})]
    assert names == ["jaar", "naam"]


def test_submitted_form_becomes_typed_data() -> None:
    form = MultiDict(
        [("naam", " Anna "), ("bedrag", "7.500,50"), ("jaar", "2026"), ("datum", "2026-12-10"), ("akkoord", "ja"),
         ("profiel", "PIE"), ("leerwegen", "BB"), ("leerwegen", "KB"), ("toelichting", "")]
    )  # fmt: skip
    data, raw = parse_submission(SCHEMA, UI, form)
    assert data == {
        "naam": "Anna", "bedrag": 7500.5, "jaar": 2026, "datum": "2026-12-10", "akkoord": True, "profiel": "PIE",
        "leerwegen": ["BB", "KB"],
    }  # fmt: skip
    assert raw["bedrag"] == "7.500,50" and raw["toelichting"] == ""


def test_text_that_is_no_number_stays_text_so_validation_can_name_the_field() -> None:
    data, _raw = parse_submission(SCHEMA, UI, MultiDict([("bedrag", "veel"), ("jaar", "2026,5")]))
    assert data == {"bedrag": "veel", "jaar": 2026.5, "leerwegen": []}  # no box ticked: an empty choice


@pytest.mark.parametrize(
    ("text", "number"),
    [("7.500", "7500"), ("7500", "7500"), ("7.500,00", "7500.00"), ("€ 1.234.567,8", "1234567.8"), ("12.5", "12.5"),
     ("0,5", "0.5"), ("abc", None), ("1.234,56", "1234.56"), ("1234,56", "1234.56"), ("1234", "1234"),
     ("1.234", "1234"), ("7500.50", "7500.50"), ("-12,5", "-12.5"), ("0.125", None), ("1234.567", None),
     ("1.23.4", None), ("1,234,5", None), ("12.34,5", None), ("NaN", None), ("Infinity", None), ("-Infinity", None),
     ("1e3", None), ("", None), (",5", None)],
)  # fmt: skip
def test_dutch_amounts_are_read_as_people_write_them(text: str, number: str | None) -> None:
    parsed = parse_dutch_number(text)
    assert (str(parsed) if parsed is not None else None) == number


@pytest.mark.parametrize(
    ("text", "hint"),
    [("0.125", "niet eenduidig"), ("1.23.4", "niet eenduidig"), ("NaN", "bijvoorbeeld"), ("veel", "bijvoorbeeld")],
)
def test_an_unreadable_amount_says_how_to_write_it(text: str, hint: str) -> None:
    problems = input_problems(SCHEMA, UI, {"bedrag": text, "jaar": "2026"})
    assert list(problems) == ["bedrag"]
    assert hint in problems["bedrag"] and "1.234,56" in problems["bedrag"]


def test_values_are_described_for_people() -> None:
    props = SCHEMA["properties"]
    assert describe_value(props["akkoord"], False) == "Nee"
    assert describe_value(props["profiel"], "BWI") == "Bouwen Wonen Interieur"
    assert describe_value(props["leerwegen"], ["BB", "KB"]) == "Basis, Kader"
    assert describe_value(props["bedrag"], 7500) == "€ 7.500,00"
    assert describe_value(props["bijlage"], {"bestandsnaam": "offerte.pdf"}) == "offerte.pdf"
    assert describe_value(props["toelichting"], None) == "-"
    assert describe_value(props["datum"], "2026-12-10") == "10 december 2026"
