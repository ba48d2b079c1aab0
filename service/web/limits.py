"""Input limits in one place: rate limits (Flask-Limiter), the size and nesting depth of JSON bodies, JSON without
NaN/Infinity, and ids that fit the database's integer columns. Memory storage of the rate limiter suits one
process; several web processes would share a storage URI."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.routing import IntegerConverter, UnicodeConverter

from ..domain.errors import InvalidInput
from ..domain.texts import N_, Text

# headers_enabled: a 429 carries Retry-After (and the X-RateLimit-* headers), so a client knows when to try again.
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://", headers_enabled=True)

MAX_JSON_BYTES = 2 * 1024 * 1024  # the largest form (a few 20,000-character texts) fits many times over
MAX_JSON_DEPTH = 32  # forms are flat; anything deeper is an attack (and deep data breaks the engine's state later)
MAX_ID = 2**31 - 1  # primary keys are INTEGER columns on PostgreSQL; a larger id can never exist

# A key (a string followed by ':'), any other string, or a bracket: enough to follow the nesting without parsing.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"\s*:|"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)  # an escaped NUL, not an escaped backslash
_CONSTANT_KEY = re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:\s*-?(?:NaN|Infinity)\b')


class JSONRefused(ValueError):
    """The body is JSON we do not read: too deep, or with NaN/Infinity."""

    def __init__(self, message: Text, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # where in the body, when known

    @staticmethod
    def found_in(error: BaseException) -> JSONRefused | None:
        """The JSONRefused behind an error (Flask re-raises a parse error as BadRequest, twice)."""
        seen: BaseException | None = error
        while seen is not None and not isinstance(seen, JSONRefused):
            seen = seen.__cause__ or seen.__context__
        return seen


def too_deep(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> str | None:
    """The field where a JSON text nests deeper than `limit` ('data.omschrijving'; '' at the top), or None.
    Counted without parsing: the parser would recurse, and a few thousand levels exhaust Python's stack."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    opened_under: list[str | None] = []  # per open array/object: the key it is the value of
    key: str | None = None
    for token in _TOKEN.finditer(raw):
        value = token.group()
        if value in (b"[", b"{"):
            opened_under.append(key)
            key = None
            if len(opened_under) > limit:
                return ".".join([k for k in opened_under if k is not None][:2])  # the body's field, e.g. in data
        elif value in (b"]", b"}"):
            if opened_under:
                opened_under.pop()
            key = None
        elif value.endswith(b":"):
            key = value[:-1].rstrip()[1:-1].decode("utf-8", "replace")
    return None


def _refuse_constant(name: str) -> Any:
    raise JSONRefused(N_("%(value)s is geen getal: stuur een gewoon getal.", value=name))


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but reading refuses NaN/Infinity (not JSON at all, and they break every later page)
    and documents nested deeper than MAX_JSON_DEPTH (checked before parsing, which would recurse)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        where = too_deep(s)
        if where is not None:
            raise JSONRefused(N_("De gegevens zijn dieper genest dan %(depth)s niveaus.", depth=MAX_JSON_DEPTH), where)
        kwargs.setdefault("parse_constant", _refuse_constant)
        if _NUL_ESCAPE.search(s.encode("utf-8", "surrogatepass") if isinstance(s, str) else s):
            raise JSONRefused(N_("Tekst met een nul-teken (\\u0000) kan niet worden bewaard."))
        try:
            return json.loads(s, **kwargs)
        except JSONRefused as err:  # name the field that held it, for the answer (rare, so searched only now)
            raw = s.encode("utf-8", "surrogatepass") if isinstance(s, str) else s
            found = _CONSTANT_KEY.search(raw)
            raise JSONRefused(err.message, found.group(1).decode("utf-8", "replace") if found else "") from None


class TextConverter(UnicodeConverter):
    """`<name>` without NUL characters: no database stores them (PostgreSQL refuses them), so such a path is
    simply not found (404) instead of failing in the query."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\x00]")


class IdConverter(IntegerConverter):
    """`<int:...>` that only matches ids the database can hold: a larger one is simply not found (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _limit_json_bodies() -> None:
    # Uploads (multipart forms) keep MAX_CONTENT_LENGTH; a JSON body gets the smaller limit, also when chunked.
    if request.mimetype != "multipart/form-data":
        request.max_content_length = MAX_JSON_BYTES


def _refuse_nul_characters() -> None:
    # A NUL character in a query parameter or form field can never be stored or matched (PostgreSQL refuses it
    # in every text value): a clear 422 naming the field, before any query meets it. JSON bodies: see loads.
    for source in (request.args, request.form if request.mimetype != "multipart/form-data" else {}):
        for name, value in source.items(multi=True) if source else ():
            if "\x00" in name or "\x00" in value:
                message = N_("Dit veld bevat een ongeldig teken (een nul-teken).")
                raise InvalidInput(message, {name.replace("\x00", "?"): message})


def init_limits(app: Flask) -> None:
    """Install the rate limiter, the JSON reader and the id converter on the app."""
    app.json_provider_class = LimitedJSONProvider
    app.json = LimitedJSONProvider(app)
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.before_request(_limit_json_bodies)
    app.before_request(_refuse_nul_characters)
    limiter.init_app(app)
