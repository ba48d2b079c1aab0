"""How many gunicorn workers to run by default, and why."""

from __future__ import annotations

import os


def available_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the whole machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_workers(cores: int | None = None) -> int:
    """2 x cores + 1, gunicorn's rule for sync workers: a worker serves one request at a time, and a request
    spends part of its time waiting on PostgreSQL and on its engine worker (diagram code runs in a separate
    process), so while one waits another can use the core; more than that only adds memory (each web worker
    has its own engine workers) and more connections to the database."""
    return 2 * (cores or available_cores()) + 1
