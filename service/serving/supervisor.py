"""`sto-flow serve`: the scheduler(s) and gunicorn as one unit, like `make run`'s launcher. The schedulers start
first and must report ready, then gunicorn, which reports ready once its socket listens. When any of them stops,
everything is stopped with a message naming which one, so the web app never runs without its timers and mail."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..launcher import READY_FD

READY_SECONDS = 120.0  # a first start imports SpiffWorkflow and starts the engine's workers: generous
STOP_SECONDS = 40.0  # gunicorn's graceful_timeout (30 s) and then some
GUNICORN_CONFIG = "python:service.serving.gunicorn_config"
APP = "service.serving.wsgi:create_served_app()"


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


def _start(name: str, command: list[str], env: dict[str, str]) -> tuple[Child, int]:
    """Start a child that writes 'ready' to the fd named by STO_READY_FD; returns it and the pipe's read end."""
    read_end, write_end = os.pipe()
    # Its own process group: whatever it leaves behind when it dies (gunicorn's workers, engine workers) can be
    # found and stopped as a group.
    process = subprocess.Popen(command, env={**env, READY_FD: str(write_end)}, pass_fds=(write_end,), process_group=0)
    os.close(write_end)
    return Child(name, process), read_end


def _wait_ready(child: Child, read_end: int) -> bool:
    """True once the child said ready; False when it exited (or stayed silent too long) first."""
    deadline = time.monotonic() + READY_SECONDS
    try:
        while time.monotonic() < deadline:
            readable, _, _ = select.select([read_end], [], [], 0.2)
            if readable:
                return os.read(read_end, 16).startswith(b"ready")  # b"" when it exited without a word
            if child.process.poll() is not None:
                return False
        return False
    finally:
        os.close(read_end)


def _stop(children: list[Child]) -> None:
    """SIGTERM to all (gunicorn then finishes its requests), wait, and kill what is still there."""
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
    for child in children:
        _stop_group(child.process.pid)


def _stop_group(group: int) -> None:
    """Stop what a child left running in its process group: when gunicorn's master was killed, its workers and
    their engine workers would otherwise serve on (or hold the port) without it."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            return  # nothing left
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


@contextmanager
def metrics_directory(configured: str) -> Iterator[Path]:
    """An empty directory for prometheus_client's per-process files (PROMETHEUS_MULTIPROC_DIR): STO_METRICS_DIR
    with the files of an earlier run removed (their counts would add up with this run's), or a temporary one
    removed afterwards."""
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for old in path.glob("*.db"):  # only prometheus_client's files: never empty a folder named by mistake
            old.unlink()
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="sto-flow-metrics-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def serve(*, bind: str, workers: int, schedulers: int, env: dict[str, str]) -> int:
    """Start the schedulers, then gunicorn; supervise them and stop all together. Returns the exit status."""
    children: list[Child] = []

    def stop_on_signal(signum: int, _frame: object) -> None:
        raise SystemExit(0)  # handled below like Ctrl-C: every child stops too

    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        for number in range(1, schedulers + 1):
            command = [sys.executable, "-m", "flask", "--app", "service", "scheduler"]
            child, ready = _start(f"scheduler {number}", command, _scheduler_env(env, number))
            children.append(child)
            if not _wait_ready(child, ready):
                return _fail(children, f"{child.name} could not start (see its message above); nothing was started.")
        gunicorn = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG]
        gunicorn += ["--bind", bind, "--workers", str(workers), APP]
        # A sync worker serves one request at a time, so it never needs more than a spare beside the one engine
        # worker in use (a stopped script's successor starts meanwhile); the default of 4 would only cost memory.
        web_env = {**env, "STO_ENGINE_WORKERS": env.get("STO_ENGINE_WORKERS") or "2"}
        web, ready = _start("web server (gunicorn)", gunicorn, web_env)
        children.append(web)
        if not _wait_ready(web, ready):
            return _fail(children, "the web server (gunicorn) could not start (see its message above).")
        pids = ", ".join(f"{c.name} pid {c.process.pid}" for c in children)
        print(f"STO Flow serving on http://{bind} with {workers} web workers ({pids})", flush=True)
        while True:
            for child in children:
                code = child.process.poll()
                if code is not None:
                    return _fail(children, f"the {child.name} exited ({code}), so everything was stopped.", code)
            time.sleep(0.2)
    except (KeyboardInterrupt, SystemExit):
        _stop(children)
        print("STO Flow stopped.", file=sys.stderr, flush=True)
        return 0


def _scheduler_env(env: dict[str, str], number: int) -> dict[str, str]:
    # Outside production without a mail server every scheduler catches mail locally: each needs its own port.
    if number > 1 and env.get("STO_ENV") != "production" and not env.get("STO_SMTP_HOST"):
        base = int(env.get("STO_MAIL_CATCHALL_PORT") or 8025)
        return {**env, "STO_MAIL_CATCHALL_PORT": str(base + number - 1)}
    return env


def _fail(children: list[Child], why: str, code: int | None = 1) -> int:
    _stop(children)
    print(f"STO Flow stopped: {why}", file=sys.stderr, flush=True)
    return code if code and code > 0 else 1  # killed by a signal (negative) is a failure too
