"""Languages: the UI's own strings are Dutch (the msgids); an English catalogue translates them."""

from __future__ import annotations

from flask import Flask, session
from flask_babel import Babel

LANGUAGES = ("nl", "en")
DEFAULT = "nl"


def _select_locale() -> str:
    # Dutch by default, whatever the browser says: the people who use this work in Dutch.
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


def init_i18n(app: Flask) -> None:
    """Dutch unless the user picked English (kept in the session)."""
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Amsterdam"
    Babel(app, locale_selector=_select_locale)
