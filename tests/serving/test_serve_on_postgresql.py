"""`sto-flow serve` as it runs in production: gunicorn with several workers and two schedulers on PostgreSQL,
answering concurrent requests from more than one worker, stopping cleanly on SIGTERM, and stopping everything when a
scheduler dies."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from sqlalchemy.engine import make_url

from tests.serving.running import Served, all_gone, clean_env, free_port, http, listening, start_serving

DATABASE_URL = os.environ.get("STO_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql"), reason="production serving runs on PostgreSQL: set STO_TEST_DATABASE_URL"
)
STO_FLOW = str(Path(sys.executable).with_name("sto-flow"))


@pytest.fixture
def served(runtime, tmp_path: Path) -> Iterator[Served]:  # runtime: the test database with the demo data
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_999999.db").write_bytes(b"left over from an earlier run")
    (metrics / "README").write_text("not prometheus_client's")
    env = clean_env(
        STO_ENV="production",
        STO_DATABASE_URL=DATABASE_URL,
        STO_SECRET_KEY="a-production-key-only-for-this-test",
        STO_SMTP_HOST="127.0.0.1",
        STO_SMTP_PORT=str(free_port()),
        STO_METRICS_DIR=str(metrics),
        STO_ENGINE_WORKERS="1",
    )
    command = [STO_FLOW, "serve", "--bind", f"127.0.0.1:{free_port()}", "--workers", "2", "--schedulers", "2"]
    serving = start_serving(command, cwd=tmp_path, env=env, log=tmp_path / "serve.log")
    try:
        yield serving
    finally:
        serving.stop()


def _database_connections(process: psutil.Process) -> int:
    port = make_url(DATABASE_URL).port or 5432
    return sum(1 for c in process.net_connections(kind="tcp") if c.raddr and c.raddr.port == port)


def test_two_workers_answer_concurrent_requests_and_sigterm_stops_everything(served: Served, tmp_path: Path) -> None:
    line = served.wait_until_serving()
    assert "with 2 web workers" in line
    master = served.gunicorn_master()
    workers = master.children()
    assert len(workers) == 2
    assert len(served.schedulers()) == 2

    # Every process got the same fresh metrics directory: an earlier run's file is gone, anything else stays.
    metrics = tmp_path / "metrics"
    for process in [*workers, *served.schedulers()]:
        assert process.environ()["PROMETHEUS_MULTIPROC_DIR"] == str(metrics)
    assert not (metrics / "counter_999999.db").exists() and (metrics / "README").exists()

    # Before any request no worker holds a database connection; each request below needs one.
    assert [_database_connections(w) for w in workers] == [0, 0]
    token = http(
        served.port, "/api/v1/auth/token", body={"email": "projectleider@demo.sto", "password": "demo"}
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}

    def tasks(_: int) -> int:
        answer = http(served.port, "/api/v1/tasks?limit=5", headers=bearer)
        assert answer.json()["total"] >= 0
        return answer.status

    # Rounds of concurrent requests until both workers have served one (on a busy machine one worker may take a
    # whole round alone); every answer is a 200 throughout.
    served_by = [0, 0]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _round in range(10):
            assert list(pool.map(tasks, range(40))) == [200] * 40
            served_by = [_database_connections(w) for w in workers]
            if all(served_by):
                break
    # The token made in one worker opened the API in the other: both signed with the same key, and both served.
    assert all(served_by), served_by

    everything = served.descendants()
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0
    assert all_gone(everything) == []
    assert not listening(served.port)
    assert "STO Flow stopped." in served.messages()


def test_when_a_scheduler_is_killed_everything_stops_with_a_message(served: Served) -> None:
    served.wait_until_serving()
    everything = served.descendants()
    first, _second = served.schedulers()

    first.kill()

    assert served.process.wait(timeout=60) != 0
    assert "STO Flow stopped: the scheduler 1 exited (-9), so everything was stopped." in served.messages()
    assert all_gone(everything) == []
    assert not listening(served.port)


def test_when_gunicorn_dies_the_schedulers_stop_too(served: Served) -> None:
    served.wait_until_serving()
    everything = served.descendants()

    served.gunicorn_master().kill()

    assert served.process.wait(timeout=60) != 0
    assert "the web server (gunicorn) exited (-9), so everything was stopped" in served.messages()
    assert all_gone(everything) == []
