"""A restore brings back exactly what was there at backup time: requests, tasks, the audit trail and the
uploaded files byte for byte, on SQLite and on PostgreSQL, and the service carries on from there."""

from __future__ import annotations

import hashlib
from pathlib import Path

from service.backups import Kind, backup_database, kind_of, restore_database
from tests.conftest import FakeClock
from tests.e2e.seed import complete_open_task, open_task_id
from tests.web.change_request import ADVICE_POSITIVE

from .conftest import PgDatabases
from .sample import (
    OFFERTE,
    attachment_files,
    change_everything_after_the_backup,
    request_with_offerte,
    rows,
    service_on,
)


def _round_trip(url: str, backup_file: Path, clock: FakeClock) -> None:
    with service_on(url, clock) as rt:
        instance_id = request_with_offerte(rt)
        at_backup = rows(rt)
        files_at_backup = attachment_files(rt)
        summary = backup_database(url, backup_file)
        change_everything_after_the_backup(rt, instance_id)
        assert rows(rt) != at_backup and attachment_files(rt) == []

    # What the backup says it holds is what was there.
    assert (summary.instances, summary.tasks, summary.attachments) == (1, 2, 1)
    assert summary.audit_events == len(at_backup["audit_event"]) > 2
    assert summary.attachment_bytes == len(OFFERTE)

    restored = restore_database(url, backup_file)

    assert restored.summary == summary and restored.note is None
    with service_on(url, clock, seed=False) as rt:
        assert rows(rt) == at_backup
        assert attachment_files(rt) == files_at_backup
        [(filename, stored_hash, content_hash, content)] = attachment_files(rt)
        assert (filename, content) == ("offerte.pdf", OFFERTE)
        assert stored_hash == content_hash == hashlib.sha256(OFFERTE).hexdigest()
        # The penvoerder's check is open again and can be done, as if the later changes never happened.
        task_id = open_task_id(rt, instance_id)
        assert complete_open_task(rt, instance_id, "penvoerder@demo.sto", ADVICE_POSITIVE) == task_id


def test_sqlite_restore_brings_back_requests_tasks_audit_and_files_as_they_were(tmp_path: Path) -> None:
    backup_file = tmp_path / "backups" / "sto.backup"
    backup_file.parent.mkdir()
    _round_trip(f"sqlite:///{tmp_path / 'sto.sqlite'}", backup_file, FakeClock())
    assert kind_of(backup_file) is Kind.SQLITE
    # One self-contained file: nothing else was left beside it.
    assert sorted(p.name for p in backup_file.parent.iterdir()) == ["sto.backup"]


def test_postgresql_restore_brings_back_requests_tasks_audit_and_files_as_they_were(
    pg_databases: PgDatabases, tmp_path: Path
) -> None:
    backup_file = tmp_path / "sto.dump"
    _round_trip(pg_databases.a, backup_file, FakeClock())
    assert kind_of(backup_file) is Kind.POSTGRESQL


def test_postgresql_backup_restores_into_an_empty_database_elsewhere(pg_databases: PgDatabases, tmp_path: Path) -> None:
    clock = FakeClock()
    backup_file = tmp_path / "sto.dump"
    with service_on(pg_databases.a, clock) as rt:
        request_with_offerte(rt)
        at_backup, files = rows(rt), attachment_files(rt)
        backup_database(pg_databases.a, backup_file)

    restore_database(pg_databases.b, backup_file)

    with service_on(pg_databases.b, clock, seed=False) as moved:
        assert rows(moved) == at_backup
        assert attachment_files(moved) == files
