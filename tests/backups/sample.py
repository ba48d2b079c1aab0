"""A small service to back up: a runtime on a database of its own, a change request with an uploaded offerte
created through the use cases, and the rows a backup must bring back, read straight from the tables."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, text

from service.db import Database
from service.domain import definitions, demo
from service.domain.forms import FormLibrary
from service.migrate import upgrade_database
from service.models import Attachment
from service.settings import ROOT, Settings
from service.web.runtime import Runtime
from tests.conftest import FakeClock
from tests.e2e.seed import complete_open_task, start_request, submit_request_with_offerte
from tests.web.change_request import ADVICE_POSITIVE, ZORGROBOTS

OFFERTE = b"%PDF-1.4\n% offerte 3D-printer\n" + bytes(range(256)) * 40  # every byte value, 10 kB
TABLES = ("process_instance", "human_task", "audit_event", "attachment")


def settings_for(database_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        bpmn_dir=ROOT / "bpmn",
        forms_dir=ROOT / "forms",
        fast_password_hashing=True,
    )


@contextmanager
def service_on(database_url: str, clock: FakeClock, *, seed: bool = True) -> Iterator[Runtime]:
    """A runtime on `database_url` (migrated; with demo people and the diagrams when `seed`); closes every
    connection at the end, as a stopped service would."""
    upgrade_database(database_url)
    settings = settings_for(database_url)
    rt = Runtime(settings=settings, db=Database(database_url), forms=FormLibrary(settings.forms_dir), clock=clock)
    try:
        if seed:
            with rt.transaction(write=True) as session:
                demo.load_demo_data(session, now=clock(), fast_hash=True)
                definitions.deploy_directory(
                    session, bpmn_dir=settings.bpmn_dir, forms_dir=settings.forms_dir, now=clock(), deployed_by="t"
                )
        yield rt
    finally:
        rt.db.dispose()


def request_with_offerte(rt: Runtime) -> int:
    """A change request submitted with the offerte attached; the penvoerder's check is the open task."""
    instance_id = start_request(rt)
    submit_request_with_offerte(rt, instance_id, ZORGROBOTS, "offerte.pdf", OFFERTE)
    return instance_id


def change_everything_after_the_backup(rt: Runtime, instance_id: int) -> None:
    """What happens between a backup and a restore: a step taken, a new request, the file gone."""
    complete_open_task(rt, instance_id, "penvoerder@demo.sto", ADVICE_POSITIVE)
    start_request(rt, "projectleider@noord.sto", "noord")
    with rt.transaction(write=True) as session:
        for attachment in session.scalars(select(Attachment)):
            session.delete(attachment)


def rows(rt: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables that make up requests, tasks, their history and files, in id order."""
    with rt.db.read_engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
            for table in TABLES
        }


def attachment_files(rt: Runtime) -> list[tuple[str, str, str, bytes]]:
    """(filename, stored sha256, sha256 of the stored bytes, the bytes) of every attachment."""
    with rt.transaction(write=False) as session:
        return [
            (a.filename, a.sha256, hashlib.sha256(a.content).hexdigest(), a.content)
            for a in session.scalars(select(Attachment).order_by(Attachment.id))
        ]
