"""Paging of the API's lists: `limit` (default 50, at most 200) and a 1-based `page`, read strictly from the query
string; every list answers with its total and the link to the next page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _

from ...domain.errors import InvalidInput

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_PAGE = 100_000  # far past any real list; it keeps OFFSET within every database's integer range
_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII digits only: int() would also take " 7", "+7", "7_0" and "٧"


@dataclass(frozen=True)
class PageRequest:
    limit: int
    page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def page_request() -> PageRequest:
    """The page the client asked for; InvalidInput (422) naming the parameter when it is not a sensible number."""
    limit = _number("limit", DEFAULT_LIMIT, MAX_LIMIT)
    page = _number("page", 1, MAX_PAGE)
    return PageRequest(limit=limit, page=page)


def _number(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    value = int(raw) if _DIGITS.fullmatch(raw) else 0
    if not 1 <= value <= maximum:
        message = _(
            "De parameter %(name)s moet een geheel getal van 1 tot en met %(maximum)s zijn.", name=name, maximum=maximum
        )
        raise InvalidInput(message, {name: message})
    return value


def paged(key: str, items: list[Any], total: int, asked: PageRequest, **query: str) -> dict[str, Any]:
    """The JSON of one page: the items under `key`, the total, and where the next page is (None on the last)."""
    pages = max(1, -(-total // asked.limit))
    following = None
    if asked.page < pages:
        following = url_for(request.endpoint or "", **query, limit=asked.limit, page=asked.page + 1)
    return {key: items, "total": total, "page": asked.page, "limit": asked.limit, "pages": pages, "next": following}
