"""Count write transactions: a job run with nothing to do must not open one (on SQLite it would take the
write lock every user action waits for)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from service.db import Database


@contextmanager
def counting_write_transactions(db: Database) -> Iterator[list[int]]:
    """Yield a one-item list holding how many write transactions began inside the block."""
    began = [0]

    def count(*_args: object) -> None:
        began[0] += 1

    event.listen(db._write, "after_begin", count)
    try:
        yield began
    finally:
        event.remove(db._write, "after_begin", count)
