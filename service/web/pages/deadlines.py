"""The deadline calendar per region (editors change dates, lead times and reminders), 'Mijn agenda' with the
secret calendar address, and the .ics feed itself (no session: the token in the URL is the key)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ...domain import calendar_feed, reports
from ...domain import deadlines as deadline_cases
from ...domain.access import visible_regions
from ...domain.errors import InvalidInput
from ..messages import field_errors
from ..runtime import runtime
from ..session_auth import page_call

deadlines = Blueprint("deadlines", __name__)


def kind_labels() -> dict[str, str]:
    """The kinds of deadline, in the user's language (in the order the form offers them)."""
    return {
        "jaarverslag": _("Jaarverslag"),
        "activiteitenplan": _("Activiteitenplan en begroting"),
        "voortgangsrapportage": _("Voortgangsrapportage"),
        "eindverslag": _("Eindverslag"),
        "bestedingstermijn": _("Einde bestedingstermijn"),
        "overig": _("Overige termijn"),
    }


def status_labels() -> dict[str, str]:
    """Where a deadline stands, in the user's language."""
    return {
        "ingediend": _("ingediend"),
        "loopt": _("rapportage loopt"),
        "onbekend": _("datum nog onbekend"),
        "verstreken": _("datum verstreken"),
        "start_binnenkort": _("rapportage start binnenkort"),
        "gepland": _("gepland"),
    }


@deadlines.app_template_filter("dag")
def _day(value: date | None) -> str:
    return format_date(value, "d MMMM yyyy") if isinstance(value, date) else "-"


def _values() -> deadline_cases.DeadlineValues:
    form = request.form
    return deadline_cases.DeadlineValues(
        kind=form.get("kind", ""),
        title=form.get("title", ""),
        due_date=form.get("due_date", ""),
        lead_days=form.get("lead_days", ""),
        reminder_weeks=form.get("reminder_weeks", ""),
        note=form.get("note", ""),
    )


def _errors(err: InvalidInput) -> dict[str, str]:
    return field_errors(err)


@deadlines.get("/termijnen")
def index() -> str | BaseResponse:
    with page_call(write=False) as (session, user):
        regions = visible_regions(session, user=user)
        if len(regions) == 1:
            return redirect(url_for("deadlines.region", region_code=regions[0].code))
        return render_template("deadlines_index.html", regions=regions)


@deadlines.get("/termijnen/<region_code>")
def region(region_code: str) -> str:
    with page_call(write=False) as (session, user):
        view = deadline_cases.describe_calendar(session, user=user, region_code=region_code, now=runtime().clock())
        return render_template("deadlines_region.html", view=view, kinds=kind_labels(), statuses=status_labels())


def _render_form(
    region_code: str, deadline_id: int | None, values: deadline_cases.DeadlineValues, errors: dict[str, str]
) -> str:
    with page_call(write=False) as (session, user):
        deadline = None
        if deadline_id is None:
            deadline_cases.get_editable_region(session, user=user, region_code=region_code)
        else:
            deadline = deadline_cases.get_deadline_for_edit(
                session, user=user, region_code=region_code, deadline_id=deadline_id
            )
        return render_template(
            "deadlines_form.html",
            region_code=region_code,
            deadline=deadline,
            values=values,
            errors=errors,
            kinds=kind_labels(),
        )


@deadlines.get("/termijnen/<region_code>/nieuw")
def new(region_code: str) -> str:
    values = deadline_cases.DeadlineValues(
        kind="voortgangsrapportage",
        lead_days=str(deadline_cases.DEFAULT_LEAD_DAYS),
        reminder_weeks=",".join(str(w) for w in deadline_cases.DEFAULT_REMINDER_WEEKS),
    )
    return _render_form(region_code, None, values, {})


@deadlines.post("/termijnen/<region_code>/nieuw")
def create(region_code: str) -> BaseResponse | tuple[str, int]:
    values = _values()
    try:
        with page_call(write=True) as (session, user):
            added = deadline_cases.add_deadline(
                session, user=user, region_code=region_code, values=values, now=runtime().clock()
            )
            title = added.title
    except InvalidInput as err:  # rolled back: nothing was saved
        return _render_form(region_code, None, values, _errors(err)), 422
    flash(_("Termijn '%(title)s' is toegevoegd.", title=title), "success")
    return redirect(url_for("deadlines.region", region_code=region_code))


@deadlines.get("/termijnen/<region_code>/<int:deadline_id>")
def edit(region_code: str, deadline_id: int) -> str:
    with page_call(write=False) as (session, user):
        deadline = deadline_cases.get_deadline_for_edit(
            session, user=user, region_code=region_code, deadline_id=deadline_id
        )
        values = deadline_cases.DeadlineValues.of(deadline)
    return _render_form(region_code, deadline_id, values, {})


@deadlines.post("/termijnen/<region_code>/<int:deadline_id>")
def update(region_code: str, deadline_id: int) -> BaseResponse | tuple[str, int]:
    values = _values()
    try:
        with page_call(write=True) as (session, user):
            changed = deadline_cases.update_deadline(
                session,
                user=user,
                region_code=region_code,
                deadline_id=deadline_id,
                values=values,
                now=runtime().clock(),
            )
            title = changed.title
    except InvalidInput as err:
        return _render_form(region_code, deadline_id, values, _errors(err)), 422
    flash(_("Termijn '%(title)s' is opgeslagen.", title=title), "success")
    return redirect(url_for("deadlines.region", region_code=region_code))


@deadlines.post("/termijnen/<region_code>/vullen")
def fill(region_code: str) -> BaseResponse:
    with page_call(write=True) as (session, user):
        added = deadline_cases.fill_calendar(session, user=user, region_code=region_code, now=runtime().clock())
    if added:
        flash(_("De kalender is gevuld met %(count)s bekende termijnen.", count=added), "success")
    else:
        flash(_("De kalender had al termijnen; er is niets toegevoegd."), "success")
    return redirect(url_for("deadlines.region", region_code=region_code))


def _render_start(region_code: str, deadline_id: int, errors: dict[str, str]) -> str | BaseResponse:
    """The page that starts a report by hand; for a deadline whose date has passed it asks to confirm that."""
    now = runtime().clock()
    with page_call(write=False) as (session, user):
        deadline = deadline_cases.get_deadline_for_edit(
            session, user=user, region_code=region_code, deadline_id=deadline_id
        )
        if deadline.instance_id is not None:
            return redirect(url_for("instances.show", instance_id=deadline.instance_id))
        return render_template(
            "deadlines_start.html",
            region_code=region_code,
            deadline=deadline,
            past=reports.is_past(deadline, now),
            errors=errors,
            kinds=kind_labels(),
        )


@deadlines.get("/termijnen/<region_code>/<int:deadline_id>/starten")
def confirm_start(region_code: str, deadline_id: int) -> str | BaseResponse:
    return _render_start(region_code, deadline_id, {})


@deadlines.post("/termijnen/<region_code>/<int:deadline_id>/starten")
def start_now(region_code: str, deadline_id: int) -> BaseResponse | tuple[str | BaseResponse, int]:
    try:
        with page_call(write=True) as (session, user):
            instance = reports.start_report_now(
                session,
                user=user,
                region_code=region_code,
                deadline_id=deadline_id,
                now=runtime().clock(),
                past_confirmed=request.form.get("past_confirmed") == "ja",
            )
            instance_id = instance.id
    except InvalidInput as err:
        if "past_confirmed" not in err.fields:
            raise
        return _render_start(region_code, deadline_id, _errors(err)), 422
    flash(_("De rapportage is gestart."), "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


@deadlines.get("/agenda")
def agenda() -> str:
    rt = runtime()
    with page_call(write=False) as (session, user):
        feed = calendar_feed.find_feed(session, user=user)
        token = calendar_feed.feed_token(feed, secret_key=rt.settings.secret_key) if feed else None
    feed_url = f"{rt.settings.base_url}{url_for('deadlines.feed', token=token)}" if token else None
    return render_template("deadlines_agenda.html", feed_url=feed_url)


@deadlines.post("/agenda/vernieuwen")
def renew_agenda() -> BaseResponse:
    with page_call(write=True) as (session, user):
        renewed = calendar_feed.find_feed(session, user=user) is not None
        calendar_feed.renew_feed(session, user=user, now=runtime().clock())
    if renewed:
        flash(_("U heeft een nieuw agenda-adres. Het oude adres werkt niet meer."), "success")
    else:
        flash(_("Uw agenda-adres is klaar."), "success")
    return redirect(url_for("deadlines.agenda"))


@deadlines.get("/agenda/<token>.ics")
def feed(token: str) -> Response:
    rt = runtime()
    with rt.transaction(write=False) as session:
        body = calendar_feed.build_feed(
            session, token=token, secret_key=rt.settings.secret_key, base_url=rt.settings.base_url, now=rt.clock()
        )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="sto-flow.ics"'
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
