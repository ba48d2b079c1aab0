"""How the fault tests (and bench/load_pg.py) start STO Flow as real OS processes: gunicorn with N workers, and
the scheduler command. Kept in this one module so it can switch to `sto-flow serve` in one place.

Every process gets its own session (process group), so stopping it also stops what it started (engine workers)."""

from __future__ import annotations

import contextlib
import http.client
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from service.serving.supervisor import APP, GUNICORN_CONFIG

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
READY_FD = "STO_READY_FD"  # service/launcher.py: the scheduler writes "ready" to it once its jobs run


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a web or scheduler process on `database_url` (no secret from the developer's machine)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STO_")}
    env.update(
        STO_DATABASE_URL=database_url,
        STO_SECRET_KEY="fault-tests-secret-key-not-for-production",
        STO_ENV="development",
        STO_LOGIN_RATE_LIMIT="10000 per minute",
        # Two cores shared by every process of a test: few engine workers each.
        STO_ENGINE_WORKERS="2",
        STO_MAIL_CATCHALL_PORT=str(free_port()),
    )
    env.update(extra)
    return env


def _stop_group(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # leftovers of the group (engine workers of a killed worker)
    process.wait()


def children_of(pid: int) -> set[int]:
    """The live child processes of `pid` (from /proc: no extra library)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


class WebServer:
    """gunicorn as `sto-flow serve` runs it, with `workers` sync worker processes on a free port."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.env, self.workers, self.log_path = env, workers, log_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> WebServer:
        # The production settings and entry point `sto-flow serve` uses (service/serving/), with a shorter
        # graceful stop so a test's clean-up does not wait for it.
        command = [
            *(str(BIN / "gunicorn"), "--config", GUNICORN_CONFIG),
            *("--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5"),
            APP,
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        self.wait_serving(len_workers=self.workers, timeout=120)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            _stop_group(self.process)

    @property
    def master_pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def worker_pids(self) -> set[int]:
        return children_of(self.master_pid)

    def wait_serving(self, *, len_workers: int, timeout: float) -> None:
        """Until every worker runs and the sign-in page answers (each worker imports the app on its own)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log_path}")
            if len(self.worker_pids()) >= len_workers:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                    connection.request("GET", "/aanmelden")
                    if connection.getresponse().status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not serve within {timeout} s; see {self.log_path}")


class SchedulerProcess:
    """`flask --app service scheduler`, waited for until it reports ready; its log is kept for the test to read."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SchedulerProcess:
        read_end, write_end = os.pipe()
        env = {**self.env, READY_FD: str(write_end), "STO_MAIL_CATCHALL_PORT": str(free_port())}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "flask"), "--app", "service", "scheduler"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                pass_fds=(write_end,),
                start_new_session=True,
            )
        os.close(write_end)
        try:
            readable, _, _ = select.select([read_end], [], [], 120)
            said = os.read(read_end, 16) if readable else b""
        finally:
            os.close(read_end)
        if not said.startswith(b"ready"):
            _stop_group(self.process)
            raise RuntimeError(f"the scheduler did not start; see {self.log_path}")
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            _stop_group(self.process)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
