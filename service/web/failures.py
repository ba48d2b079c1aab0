"""A step that failed in the process model is undone, but the instance's trail still says that it failed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..domain.audit import record_failed_step
from ..domain.errors import ProcessFailed
from ..models import User
from .runtime import runtime


@contextmanager
def failed_steps_recorded() -> Iterator[None]:
    """Let a ProcessFailed pass, after writing it on the instance's audit trail in a transaction of its own
    (so use it outside the step's own transaction, which must have ended by then)."""
    try:
        yield
    except ProcessFailed as err:
        if err.instance_id is not None:
            rt = runtime()
            with rt.transaction(write=True) as session:
                actor = session.get(User, err.actor_id) if err.actor_id is not None else None
                record_failed_step(
                    session,
                    instance_id=err.instance_id,
                    message=err.message,
                    detail=err.detail,
                    actor=actor,
                    now=rt.clock(),
                )
        raise
