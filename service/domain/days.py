"""Dates as people type them in a form: 31-12-2028 (Dutch) or 2028-12-31 (ISO)."""

from __future__ import annotations

import re
from datetime import date

_DUTCH_DATE = re.compile(r"^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})$")


def parse_day(text: str, *, first_year: int, last_year: int) -> date:
    """The day written as dd-mm-jjjj or jjjj-mm-dd; ValueError for anything else or a year out of range."""
    text = text.strip()
    found = _DUTCH_DATE.match(text)
    value = date(int(found[3]), int(found[2]), int(found[1])) if found else date.fromisoformat(text)
    if not first_year <= value.year <= last_year:
        raise ValueError(text)
    return value
