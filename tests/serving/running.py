"""Helpers for tests that start `sto-flow serve` as a real process and talk to it over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120.0  # a cold start imports SpiffWorkflow in every process on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def clean_env(**settings: str) -> dict[str, str]:
    """The test runner's environment without any STO_ setting or path tweak, plus `settings`."""
    drop = ("STO_", "PROMETHEUS_MULTIPROC_DIR", "PYTHONPATH", "VIRTUAL_ENV")
    env = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    return env | settings


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def http(
    port: int, path: str, *, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 30
) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Answer(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, dict(err.headers), err.read())


@dataclass
class Served:
    """A running `sto-flow serve`: its process, where it listens and where its messages go."""

    process: subprocess.Popen[str]
    port: int
    log: Path

    def messages(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self) -> str:
        """The line `sto-flow serve` prints once everything runs (fails with its messages if it stopped)."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert "STO Flow serving on" in line, f"not serving: {line!r}\n{self.messages()}"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if http(self.port, "/aanmelden").status == 200:
                return line
            time.sleep(0.2)
        raise AssertionError(f"no page within {START_SECONDS} s\n{self.messages()}")

    def gunicorn_master(self) -> psutil.Process:
        masters = [p for p in psutil.Process(self.process.pid).children() if "gunicorn" in " ".join(p.cmdline())]
        assert len(masters) == 1, masters
        return masters[0]

    def schedulers(self) -> list[psutil.Process]:
        children = psutil.Process(self.process.pid).children()
        return [p for p in children if p.cmdline()[-1:] == ["scheduler"]]

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def stop(self) -> None:
        """Kill what is left (after a failed test): the serve process and everything it started."""
        try:
            left = [psutil.Process(self.process.pid), *self.descendants()]
        except psutil.NoSuchProcess:
            left = []
        for process in left:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(left, timeout=10)
        self.process.wait(timeout=10)


def start_serving(command: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> Served:
    """Run `command` (a `sto-flow serve ... --bind 127.0.0.1:<port>`), its messages going to `log`."""
    port = int(command[command.index("--bind") + 1].rsplit(":", 1)[1])
    with log.open("w") as messages:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=messages, text=True)
    return Served(process, port, log)


def all_gone(processes: list[psutil.Process], timeout: float = 20) -> list[psutil.Process]:
    """The processes still running after `timeout` seconds (none, when everything stopped)."""
    _gone, alive = psutil.wait_procs(processes, timeout=timeout)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
