"""The service as `make run` starts it (launcher, scheduler, waitress), asked over real HTTP: the scheduler's
heartbeat makes /readyz green, every process writes JSON lines, and a clean stop removes the heartbeat."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

from service.settings import ROOT
from tests.test_launcher import _free_port


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (names in lower case) and body; status 0 while nothing listens yet."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as err:
        return err.code, _lower(err.headers.items()), err.read()
    except (urllib.error.URLError, ConnectionError):
        return 0, {}, b""


def _lower(items: list[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in items}


def _heartbeats(database: str) -> list[str]:
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(text("SELECT name FROM scheduler_heartbeat"))]
    finally:
        engine.dispose()


def test_ready_over_http_with_json_logs_and_a_clean_stop(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'run.sqlite'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("STO_")} | {
        "STO_DATABASE_URL": database,
        "STO_MAIL_CATCHALL_PORT": str(_free_port()),
        "STO_ENGINE_WORKERS": "1",
        "STO_HEARTBEAT_SECONDS": "1",
        "STO_LOG_JSON": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "service", "setup", "--no-demo"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_file = tmp_path / "stderr.log"
    with log_file.open("w") as stderr:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "service.launcher", "--port", str(port), "--threads", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            deadline = time.monotonic() + 90
            status, headers, body = 0, {}, b""
            while time.monotonic() < deadline and status != 200:
                status, headers, body = _get(f"{base}/readyz", {"X-Request-ID": "probe-0123456789"})
                time.sleep(0.3)
            assert status == 200, body
            assert json.loads(body)["status"] == "ok"
            assert headers["x-request-id"] == "probe-0123456789"
            (name,) = _heartbeats(database)
            assert name.split(":")[-1].isdigit()  # host:pid of the scheduler process

            status, _headers, metrics = _get(f"{base}/metrics")
            assert status == 200 and b"sto_open_tasks 0.0" in metrics
        finally:
            launcher.send_signal(signal.SIGTERM)
            launcher.wait(timeout=30)

    assert _heartbeats(database) == []  # the scheduler stopped cleanly and said so
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    not_json = [line for line in log_file.read_text().splitlines() if line.strip() and not line.startswith("{")]
    assert not_json == []
    loggers = {line["logger"] for line in lines}
    assert "service.jobs.scheduler" in loggers  # the scheduler process (flask --app service scheduler)
    ready = [line for line in lines if line.get("route") == "/readyz" and line["status"] == 200]
    assert ready and ready[-1]["request_id"] == "probe-0123456789"  # the web process (waitress)
