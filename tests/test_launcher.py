"""`make run` never half-starts: the launcher (service/launcher.py) starts the scheduler first and the web server
only once the scheduler runs; when either stops, both stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _launcher(tmp_path: Path, web_port: int, mail_port: int) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("STO_")} | {
        "STO_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite'}",
        "STO_MAIL_CATCHALL_PORT": str(mail_port),
        "STO_ENGINE_WORKERS": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "service", "setup", "--no-demo"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "service.launcher", "--port", str(web_port), "--threads", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_taken_mail_port_stops_the_launch_with_the_setting_to_change(tmp_path: Path) -> None:
    web_port = _free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        mail_port = taken.getsockname()[1]
        launcher = _launcher(tmp_path, web_port, mail_port)
        started = time.monotonic()
        try:
            _out, err = launcher.communicate(timeout=30)
        finally:
            launcher.kill()
        assert time.monotonic() - started < 30
    assert launcher.returncode != 0
    assert f"127.0.0.1:{mail_port}" in err and "STO_MAIL_CATCHALL_PORT" in err
    assert "the web server was not started" in err
    assert not _listening(web_port)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_when_the_scheduler_dies_the_web_server_stops_too(tmp_path: Path) -> None:
    web_port, mail_port = _free_port(), _free_port()
    launcher = _launcher(tmp_path, web_port, mail_port)
    try:
        line = launcher.stdout.readline() if launcher.stdout else ""
        assert f"STO Flow on http://127.0.0.1:{web_port}" in line
        deadline = time.monotonic() + 30
        while not _listening(web_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/aanmelden", timeout=10) as page:
            assert page.status == 200
        scheduler_pid = int(line.split("scheduler running, pid ")[1].split(";")[0])
        os.kill(scheduler_pid, signal.SIGKILL)
        _out, err = launcher.communicate(timeout=30)
    finally:
        launcher.kill()
    assert launcher.returncode != 0
    assert "the scheduler exited" in err
    assert not _listening(web_port)


def test_stopping_the_launcher_stops_the_scheduler_and_the_web_server(tmp_path: Path) -> None:
    web_port, mail_port = _free_port(), _free_port()
    launcher = _launcher(tmp_path, web_port, mail_port)
    try:
        line = launcher.stdout.readline() if launcher.stdout else ""
        scheduler_pid = int(line.split("scheduler running, pid ")[1].split(";")[0])
        deadline = time.monotonic() + 30
        while not _listening(web_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _listening(web_port) and _listening(mail_port)
        launcher.send_signal(signal.SIGTERM)
        launcher.communicate(timeout=30)
    finally:
        launcher.kill()
    assert not _listening(web_port) and not _listening(mail_port)
    with pytest.raises(ProcessLookupError):
        os.kill(scheduler_pid, 0)
