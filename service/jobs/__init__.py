"""Background work, run by the scheduler process (service/jobs/scheduler.py): timers, mail, reminders, reports.

Each job is a plain function `job(runtime, now) -> int` (how much it did) that is safe to run at any moment
and from two processes at once: it claims its rows with locks, so work is done exactly once.
"""
