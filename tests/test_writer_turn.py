"""Writers of different processes (the web server and the scheduler) take turns on an SQLite file through an
flock beside it: the second waits for the first (no 'database is locked', no busy-handler polling) and writes
right after it."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from service.db import Database
from service.migrate import upgrade_database
from service.settings import ROOT

HOLDER = textwrap.dedent(
    """
    import sys, time
    from sqlalchemy import text
    from service.db import Database
    db = Database(sys.argv[1])
    with db.transaction(write=True) as session:
        session.execute(text("INSERT INTO region (code, name) VALUES ('holder', 'first')"))
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", flush=True)
    """
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'turns.sqlite'}"
    upgrade_database(url)
    return url


def test_the_turn_is_an_flock_that_dies_with_its_holder(sqlite_url: str, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, sqlite_url, "20"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    lock_file = tmp_path / "turns.sqlite-writer.lock"
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        fd = os.open(lock_file, os.O_RDWR)
        with pytest.raises(BlockingIOError):  # the other process holds the turn
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        db = Database(sqlite_url)
        with db.transaction(write=False) as session:  # reads go on meanwhile
            assert session.scalar(text("SELECT count(*) FROM region WHERE code = 'holder'")) == 0

        holder.kill()  # it dies holding its turn
        holder.wait(timeout=10)

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the kernel released it with the process: no stale lock
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        with db.transaction(write=True) as session:
            session.execute(text("INSERT INTO region (code, name) VALUES ('second', 'second')"))
        with db.transaction(write=False) as session:
            assert session.scalar(text("SELECT count(*) FROM region WHERE code = 'holder'")) == 0  # rolled back
        db.dispose()
    finally:
        holder.kill()


def test_the_second_process_writes_right_after_the_first(sqlite_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, sqlite_url, "0.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        db = Database(sqlite_url)
        with db.transaction(write=True) as session:  # waits for the holder, then writes
            first = session.scalar(text("SELECT name FROM region WHERE code = 'holder'"))
            session.execute(text("INSERT INTO region (code, name) VALUES ('second', 'second')"))
        db.dispose()
        assert holder.stdout.readline().strip() == "released"
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert first == "first"  # it saw the first writer's commit: it began after it, not beside it
