"""'Mijn taken': the home page after sign-in."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ...domain.accounts import roles_by_region
from ...domain.definitions import list_latest_definitions
from ...domain.inbox import list_inbox
from ..runtime import runtime
from ..session_auth import page_call

inbox = Blueprint("inbox", __name__)
PER_PAGE = 25


@inbox.get("/")
def home() -> str:
    region = request.args.get("regio") or None
    process = request.args.get("proces") or None
    page = request.args.get("pagina", 1, type=int) or 1
    with page_call(write=False) as (session, user):
        regions = sorted(roles_by_region(user))
        if region not in regions:
            region = None
        result = list_inbox(
            session,
            user=user,
            now=runtime().clock(),
            region_code=region,
            process_key=process,
            page=page,
            per_page=PER_PAGE,
        )
        processes = {d.process_key: d.name for d in list_latest_definitions(session)}
        return render_template(
            "inbox.html",
            result=result,
            regions=regions,
            processes=processes,
            region=region,
            process=process,
            now=runtime().clock(),
        )
