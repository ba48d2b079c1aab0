"""Each user's iCalendar feed at a secret URL: the deadlines of their regions and the due dates of their open
tasks, as all-day events with stable UIDs, so Outlook and other calendars show them.

The URL token is `<key>.<signature>`: the key is stored, the signature is an HMAC of it with the app's secret
key. The database alone cannot rebuild an address, the page can always show it again, and renewing the key
makes the old address worthless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from ..models import CalendarFeed, Deadline, HumanTask, ProcessInstance, Region, User
from .audit import record_event
from .deadlines import LOCAL, deadline_status, list_deadlines, local_day
from .errors import NotFound
from .inbox import actionable_tasks

KIND_LABELS = {
    "jaarverslag": "Jaarverslag",
    "activiteitenplan": "Activiteitenplan",
    "voortgangsrapportage": "Voortgangsrapportage",
    "eindverslag": "Eindverslag",
    "bestedingstermijn": "Bestedingstermijn",
    "overig": "Termijn",
}
STATUS_LABELS = {
    "ingediend": "Ingediend",
    "loopt": "Rapportage loopt",
    "onbekend": "Datum nog onbekend",
    "verstreken": "Datum verstreken",
    "start_binnenkort": "Rapportage start binnenkort",
    "gepland": "Gepland",
}


def _signature(key: str, secret_key: str) -> str:
    digest = hmac.new(secret_key.encode(), f"agenda:{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def feed_token(feed: CalendarFeed, *, secret_key: str) -> str:
    """The secret part of the feed URL."""
    return f"{feed.key}.{_signature(feed.key, secret_key)}"


def find_feed(session: Session, *, user: User) -> CalendarFeed | None:
    """The user's feed, if they made one."""
    return session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def renew_feed(session: Session, *, user: User, now: datetime) -> CalendarFeed:
    """Make the user's feed address, or replace it (the old address stops working at once)."""
    feed = find_feed(session, user=user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, key="", created_at=now)
        session.add(feed)
    renewed = bool(feed.key)
    feed.key, feed.created_at = secrets.token_urlsafe(18), now
    session.flush()
    record_event(
        session,
        action="calendar_feed_renewed" if renewed else "calendar_feed_created",
        summary="Agenda-adres vernieuwd" if renewed else "Agenda-adres gemaakt",
        now=now,
        actor=user,
    )
    return feed


def user_for_token(session: Session, *, token: str, secret_key: str) -> User:
    """The active user whose feed this token opens; NotFound for anything else."""
    key, _dot, signature = token.partition(".")
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.key == key)) if key and signature else None
    if feed is None or not hmac.compare_digest(signature, _signature(feed.key, secret_key)):
        raise NotFound("Niet gevonden.")
    user = session.get(User, feed.user_id)
    if user is None or not user.active:
        raise NotFound("Niet gevonden.")
    return user


@dataclass(frozen=True)
class FeedLinks:
    """Where the events link to."""

    base_url: str

    def calendar(self, region_code: str) -> str:
        return f"{self.base_url}/termijnen/{region_code}"

    def task(self, task_id: int) -> str:
        return f"{self.base_url}/taken/{task_id}"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "sto-flow"


def build_feed(session: Session, *, token: str, secret_key: str, base_url: str, now: datetime) -> bytes:
    """The .ics document for the owner of the token."""
    user = user_for_token(session, token=token, secret_key=secret_key)
    links = FeedLinks(base_url.rstrip("/"))
    calendar = Calendar()
    calendar.add("prodid", "-//STO Flow//Termijnen en taken//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"STO Flow: {user.name}")
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    today = local_day(now)
    regions = {m.region_code for m in user.memberships}
    for region in session.scalars(select(Region).where(Region.code.in_(sorted(regions))).order_by(Region.code)):
        for deadline in list_deadlines(session, region.code):
            if deadline.due_date is not None:
                calendar.add_component(_deadline_event(deadline, region, links, today, now))
    for task in _tasks_with_due_date(session, user):
        calendar.add_component(_task_event(task, links, now))
    return calendar.to_ical()


def _all_day(event: Event, day: date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy


def _deadline_event(deadline: Deadline, region: Region, links: FeedLinks, today: date, now: datetime) -> Event:
    assert deadline.due_date is not None
    status = deadline_status(deadline, today)
    url = links.calendar(region.code)
    lines = [
        deadline.title,
        f"Regio: {region.name}",
        f"Soort: {KIND_LABELS.get(deadline.kind, 'Termijn')}",
        f"Stand: {STATUS_LABELS.get(status, status)}",
    ]
    if deadline.submitted_on is not None:
        lines.append(f"Ingediend op {deadline.submitted_on:%d-%m-%Y}, kenmerk {deadline.submission_reference}")
    if deadline.note:
        lines.append(deadline.note)
    lines.append(url)
    event = Event()
    event.add("uid", f"termijn-{deadline.id}@{links.host}")
    event.add("dtstamp", now)
    event.add("last-modified", deadline.updated_at)
    event.add("summary", f"Termijn {region.name}: {deadline.title}")
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("categories", ["STO-termijn"])
    _all_day(event, deadline.due_date)
    return event


def _tasks_with_due_date(session: Session, user: User) -> list[HumanTask]:
    return list(
        session.scalars(
            select(HumanTask)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .options(contains_eager(HumanTask.instance).load_only(ProcessInstance.id, ProcessInstance.title))
            .where(actionable_tasks(user), HumanTask.due_at.is_not(None))
            .order_by(HumanTask.due_at, HumanTask.id)
        )
    )


def _task_event(task: HumanTask, links: FeedLinks, now: datetime) -> Event:
    assert task.due_at is not None
    due_day = task.due_at.astimezone(LOCAL).date()
    url = links.task(task.id)
    event = Event()
    event.add("uid", f"taak-{task.id}@{links.host}")
    event.add("dtstamp", now)
    event.add("summary", f"Taak afronden: {task.name} ({task.instance.title})")
    event.add(
        "description",
        "\n".join(
            [
                f"Taak: {task.name}",
                f"Verzoek: {task.instance.title}",
                f"Rol: {task.role or 'aanvrager'}",
                f"Uiterlijk: {task.due_at.astimezone(LOCAL):%d-%m-%Y %H:%M}",
                url,
            ]
        ),
    )
    event.add("url", url)
    event.add("categories", ["STO-taak"])
    _all_day(event, due_day)
    return event
