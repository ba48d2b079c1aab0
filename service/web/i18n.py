"""Languages: the UI's own strings are Dutch (the msgids); an English catalogue translates them."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = ("nl", "en")
DEFAULT = "nl"


def _select_locale() -> str:
    if request.path.startswith("/api/"):
        # An API client has no session to keep a choice in: it asks with Accept-Language (Dutch by default).
        return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT
    # Pages are Dutch by default, whatever the browser says: the people who use this work in Dutch.
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


def init_i18n(app: Flask) -> None:
    """Dutch unless the user picked English (kept in the session) or an API client asks for it."""
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Amsterdam"
    Babel(app, locale_selector=_select_locale)
