"""Messages people read: Dutch text that remembers its message id, so the web layer can show it in the user's
language without the domain knowing about Flask or Babel."""

from __future__ import annotations

from typing import Any


class Text(str):
    """A Dutch message (it is the str itself) plus its msgid and %-parameters for the English catalogue."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Text:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid = msgid
        text.params = params
        return text


def N_(msgid: str, **params: Any) -> Text:
    """Mark a message for the catalogue: `N_("Gebruik hoogstens %(max)s tekens.", max=200)`."""
    return Text(msgid, **params)
