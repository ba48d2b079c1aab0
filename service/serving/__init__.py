"""Production serving: `sto-flow serve` runs the web app under gunicorn beside the scheduler(s) on PostgreSQL."""
