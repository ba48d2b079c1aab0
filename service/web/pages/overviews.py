"""Overviews for coordinators and penvoerders (running instances; regioplan and begroting)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..session_auth import page_call

overviews = Blueprint("overviews", __name__)


@overviews.get("/overzicht")
def running() -> str:
    with page_call(write=False):
        return render_template("error.html", title="Overzichten", message="Binnenkort beschikbaar.", fields={})
