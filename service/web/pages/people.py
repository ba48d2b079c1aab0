"""People and roles: administrators manage users and their roles per region."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..session_auth import page_call

people = Blueprint("people", __name__)


@people.get("/beheer/gebruikers")
def users() -> str:
    with page_call(write=False):
        return render_template("error.html", title="Mensen en rollen", message="Binnenkort beschikbaar.", fields={})
