"""A backup taken while the service keeps writing is one consistent moment: it opens, passes the integrity
check, and holds every transaction whole or not at all."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from service.backups import backup_database, restore_database
from service.models import AuditEvent
from service.web.runtime import Runtime
from tests.conftest import FakeClock

from .conftest import PgDatabases
from .sample import service_on

PAIR = "backup-test pair"


@contextmanager
def writing_pairs(rt: Runtime) -> Iterator[Callable[[], int]]:
    """A thread committing two audit events per transaction until the block ends; yields 'pairs committed'."""
    committed = [0]
    stop = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set():
                with rt.transaction(write=True) as session:
                    n = committed[0] + 1
                    for half in ("first", "second"):
                        session.add(
                            AuditEvent(
                                actor_label="test", action=PAIR, summary=f"{n} {half}", details={"n": n}, at=rt.clock()
                            )
                        )
                committed[0] = n
        except BaseException as err:  # reported by the test, not lost in the thread
            failures.append(err)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield lambda: committed[0]
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not failures, failures
    assert committed[0] > 0


def _pairs(counts: dict[int, int]) -> int:
    """How many whole pairs a copy holds; a pair with one event means a torn copy."""
    torn = {n: c for n, c in counts.items() if c != 2}
    assert not torn, f"pairs copied in part: {torn}"
    return len(counts)


def _backups_during_writes(rt: Runtime, url: str, tmp_path: Path, read_pairs: Callable[[Path], int]) -> None:
    overlapped = 0
    with writing_pairs(rt) as committed:
        for i in range(40):
            target = tmp_path / f"during-{i}.backup"
            before = committed()
            summary = backup_database(url, target)
            after = committed()
            copied = read_pairs(target)
            # A moment between the start and the end of the backup, and the summary counted that same moment.
            assert before <= copied <= after + 1
            assert summary.audit_events == copied * 2
            overlapped += after > before
            if overlapped >= 3:
                break
    assert overlapped >= 3, "the writer never committed while a backup ran"


def test_sqlite_backup_while_another_thread_writes_is_consistent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sto.sqlite'}"

    def read_pairs(backup: Path) -> int:
        with sqlite3.connect(backup) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            rows = copy.execute(
                "SELECT json_extract(details, '$.n'), count(*) FROM audit_event WHERE action = ? GROUP BY 1", (PAIR,)
            ).fetchall()
        copy.close()
        return _pairs(dict(rows))

    with service_on(url, FakeClock(), seed=False) as rt:
        _backups_during_writes(rt, url, tmp_path, read_pairs)


def test_postgresql_backup_while_another_thread_writes_is_consistent(pg_databases: PgDatabases, tmp_path: Path) -> None:
    def read_pairs(backup: Path) -> int:
        restore_database(pg_databases.b, backup)
        with service_on(pg_databases.b, FakeClock(), seed=False) as copy, copy.transaction(write=False) as session:
            counts: dict[int, int] = {}
            for summary in session.scalars(select(AuditEvent.summary).where(AuditEvent.action == PAIR)):
                n = int(summary.split()[0])
                counts[n] = counts.get(n, 0) + 1
        return _pairs(counts)

    with service_on(pg_databases.a, FakeClock(), seed=False) as rt:
        _backups_during_writes(rt, pg_databases.a, tmp_path, read_pairs)
