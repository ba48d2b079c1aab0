"""Database engines and transactions. SQLite runs in WAL mode; write transactions take the write lock up front
(BEGIN IMMEDIATE) so two writers queue instead of failing halfway; PostgreSQL uses row locks instead."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


class Database:
    """The engines and session factories for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            _ensure_parent_dir(url)
            self.read_engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
        else:
            self.read_engine = self.write_engine = create_engine(url, pool_pre_ping=True)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        # SQLite has one writer at a time. Writers queue here instead of in SQLite's busy handler, which polls
        # with sleeps of up to 100 ms: under load that made requests wait, not work.
        self._writer_turn: contextlib.AbstractContextManager[Any] = (
            WriterTurn(_lock_file(url)) if self.is_sqlite else contextlib.nullcontext()
        )

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        with self._writer_turn if write else contextlib.nullcontext():
            session = (self._write if write else self._read)()
            try:
                yield session
                if write:
                    session.commit()
                # A read-only unit ends by closing: its connection's transaction is rolled back when it returns
                # to the pool, while loaded objects keep their state for rendering (a rollback would expire them).
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def write_on_demand(self, *, reader: Session | None = None) -> Iterator[Callable[[], Session]]:
        """A write transaction begun only when the yielded callable is first called (and committed at the end
        if it was): a step can run diagram code first, without holding SQLite's write lock or row locks.

        `reader`, the session the step read with, ends its transaction when the write begins (its objects stay
        loaded): an SQLite reader still open at commit keeps the WAL checkpoint from finishing, so every later
        commit tried it again and the log kept growing (commits took 5x longer). The instance's version column
        guards the gap between the read and the write."""
        opened: list[Session] = []

        def session() -> Session:
            if not opened:
                if reader is not None:
                    reader.commit()
                self._writer_turn.__enter__()
                opened.append(self._write())
            return opened[0]

        try:
            yield session
            if opened:
                opened[0].commit()
        except BaseException:
            if opened:
                opened[0].rollback()
            raise
        finally:
            if opened:
                opened[0].close()
                self._writer_turn.__exit__(None, None, None)

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()


class WriterTurn:
    """The turn to write to one SQLite file. Threads of this process queue on a lock; processes (the web server
    and the scheduler, or several web processes) on an flock of a file beside the database, which the kernel
    hands to the next waiter the moment it is released. Re-entrant within a thread."""

    def __init__(self, lock_path: Path | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0  # how deep the thread holding _threads is; only touched while holding it
        self._path = lock_path
        self._fd: int | None = None

    def __enter__(self) -> WriterTurn:
        self._threads.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1
        return self

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def _lock_file(url: str) -> Path | None:
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:" or "mode=memory" in url:
        return None
    return Path(path).with_name(Path(path).name + "-writer.lock")


def _ensure_parent_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 15})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy issue BEGIN itself (pysqlite's own transaction handling would hide it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
