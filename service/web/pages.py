"""The plain HTML pages (the staff web app arrives in a later issue)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..domain.definitions import list_latest_definitions
from .runtime import runtime

pages = Blueprint("pages", __name__)


@pages.get("/")
def home() -> str:
    with runtime().transaction(write=False) as session:
        return render_template("home.html", definitions=list_latest_definitions(session))
