"""Under gunicorn every worker process records its own samples; /metrics adds up what all of them wrote to
PROMETHEUS_MULTIPROC_DIR, so a scrape reaching any one worker sees the whole service."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

from service.settings import ROOT
from service.web.app import create_app
from service.web.runtime import Runtime

from .conftest import scrape, value

WORKER = """
from datetime import datetime, timedelta, UTC
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from service.observability import metrics

completed = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
with Session(create_engine("sqlite://")) as session:
    metrics.task_completed(session, process_key="wijzigingsverzoek", created_at=completed - timedelta(hours={hours}),
                           completed_at=completed)
    session.commit()  # observed when the step's transaction commits
metrics.observe_request(route="/taken/<int:task_id>", method="POST", status=302, seconds=0.2)
"""


def _worker(directory: Path, hours: int) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    code = WORKER.format(hours=hours)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_two_processes_are_added_up(runtime: Runtime, tmp_path: Path) -> None:
    _worker(tmp_path, hours=1)
    _worker(tmp_path, hours=5)
    assert len(list(tmp_path.glob("*.db"))) >= 2  # each process wrote its own files

    runtime.settings = dataclasses.replace(runtime.settings, prometheus_multiproc_dir=str(tmp_path))
    app: Flask = create_app(runtime=runtime)
    samples = scrape(app.test_client())

    process = {"process": "wijzigingsverzoek"}
    assert value(samples, "sto_task_completion_seconds_count", **process) == 2
    assert value(samples, "sto_task_completion_seconds_sum", **process) == 6 * 3600
    request = {"route": "/taken/<int:task_id>", "method": "POST", "status": "3xx"}
    assert value(samples, "sto_http_request_duration_seconds_count", **request) == 2
    # The gauges still come from the database, once, whichever worker answers.
    assert value(samples, "sto_metrics_database_up") == 1
    assert [key for key in samples if key[0] == "sto_open_tasks"] == [("sto_open_tasks", ())]
