"""Background work, run by the scheduler process (service/jobs/scheduler.py): timers, mail, reminders, reports.

Each job is a plain function `job(runtime, now) -> int` (how much it did) that is safe to run at any moment
and from two processes at once: it claims its rows with locks, so work is done exactly once. Each item is
handled in its own transaction and every exception stays with its item (an incident with backoff, see
service/domain/incidents.py); a run with nothing due reads only and opens no write transaction.
"""
