"""Jinja filters: Dutch dates and money, role names as people read them, and Markdown rendered safely."""

from __future__ import annotations

from datetime import datetime

import nh3
from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup

from .form_html import format_euro

# Raw HTML in Markdown is off, and the result is sanitised again: diagram text is written by process owners,
# but it ends up in everyone's browser.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str | None) -> Markup:
    return Markup(nh3.clean(_markdown.render(text or "")))


def role_label(code: str | None) -> str:
    """A role code as people read it ('coordinator' is 'coördinator'); a task without a lane is the requester's."""
    if not code:
        return _("aanvrager")
    labels = {
        "projectleider": _("projectleider"),
        "penvoerder": _("penvoerder"),
        "stuurgroep": _("stuurgroep"),
        "coordinator": _("coördinator"),
        "procesbeheerder": _("procesbeheerder"),
    }
    return labels.get(code, code)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["rol"] = role_label  # every template prints a role through this one filter
    app.jinja_env.filters["role_options"] = lambda pairs: [(value, role_label(value)) for value, _label in pairs]
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["datum"] = lambda d: format_date(d, "d MMMM yyyy") if isinstance(d, datetime) else "-"
    app.jinja_env.filters["datumtijd"] = lambda d: (
        format_datetime(d, "d MMMM yyyy HH:mm") if isinstance(d, datetime) else "-"
    )
    app.jinja_env.filters["euro"] = lambda v: format_euro(v) if v is not None else "-"
    app.jinja_env.globals["kilobytes"] = lambda size: f"{format_decimal(size / 1024, format='#,##0.0')} kB"


__all__ = ["register_filters", "render_markdown", "role_label"]
