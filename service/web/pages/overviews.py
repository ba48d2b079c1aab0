"""Overviews for coordinators and penvoerders: running requests, and the regioplan with its begroting."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from ...domain.overviews import Begroting, get_begroting, list_running_instances
from ..charts import PairedRow, paired_bar_chart
from ..form_html import format_euro
from ..runtime import runtime
from ..session_auth import page_call

overviews = Blueprint("overviews", __name__)
PER_PAGE = 50


@overviews.get("/overzicht")
def running() -> str:
    region = request.args.get("regio") or None
    page = request.args.get("pagina", 1, type=int) or 1
    now = runtime().clock()
    with page_call(write=False) as (session, user):
        result = list_running_instances(session, user=user, now=now, region_code=region, page=page, per_page=PER_PAGE)
        return render_template("overviews_running.html", result=result, region=region, now=now)


@overviews.get("/overzicht/begroting")
def begroting() -> str:
    region = request.args.get("regio") or None
    with page_call(write=False) as (session, user):
        overview = get_begroting(session, user=user, region_code=region)
        return render_template("overviews_begroting.html", overview=overview, chart=_budget_chart(overview))


def _budget_chart(overview: Begroting) -> Markup:
    return paired_bar_chart(
        [PairedRow(line.name, line.planned, line.current) for line in overview.lines],
        title=_("Begroting per programmalijn"),
        description=_(
            "Per programmalijn het geplande budget en het budget na mutaties, over alle jaren. "
            "De bedragen staan ook in de tabel onder de grafiek."
        ),
        series=(_("Gepland"), _("Na mutaties")),
        format_value=format_euro,
        id_prefix="begroting-chart",
    )
