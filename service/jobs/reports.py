"""Job: start the reporting process of every deadline whose lead time has come, one deadline per transaction
(a deadline that cannot start never blocks the rest), each exactly once."""

from __future__ import annotations

import logging
from datetime import datetime

from ..domain import reports
from ..domain.errors import DomainError
from ..runtime import Runtime

log = logging.getLogger(__name__)


def start_due_reports(runtime: Runtime, now: datetime) -> int:
    """Start what is due at `now`; returns how many reporting instances were started."""
    with runtime.transaction(write=False) as session:
        due = reports.list_due_for_report(session, now=now)
    started = 0
    for deadline_id in due:
        try:
            with runtime.transaction(write=True) as session:
                instance = reports.start_due_report(session, deadline_id=deadline_id, now=now)
                if instance is not None:
                    started += 1
        except DomainError as err:  # rolled back; the deadline stays due and is tried again on the next run
            log.warning("reporting for deadline %s did not start: %s", deadline_id, err.message)
        except Exception:  # anything else as well: one deadline never stops the others
            log.exception("reporting for deadline %s did not start", deadline_id)
    return started
