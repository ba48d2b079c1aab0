"""`make run`: the scheduler and the web server as one unit that never half-starts. The scheduler starts first
and must report ready (its mail catch-all listening) before the web server starts; when either stops, the other
is stopped too and the launcher exits, so a web app never runs without timers, reminders and mail."""

from __future__ import annotations

import argparse
import os
import select
import signal
import subprocess
import sys
import time

READY_FD = "STO_READY_FD"  # the scheduler writes one line to this file descriptor once it runs
READY_SECONDS = 120.0  # first start-up imports SpiffWorkflow and may migrate nothing else: generous


def tell_ready() -> None:
    """Called by the scheduler once its jobs are configured: tell the launcher (if one started it)."""
    fd = os.environ.pop(READY_FD, "")
    if fd.isdigit():
        try:
            os.write(int(fd), b"ready\n")
            os.close(int(fd))
        except OSError:
            pass  # the launcher is gone; the scheduler runs on its own


def _scheduler(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    read_end, write_end = os.pipe()
    env = {**env, READY_FD: str(write_end)}
    command = [sys.executable, "-m", "flask", "--app", "service", "scheduler"]
    process = subprocess.Popen(command, env=env, pass_fds=(write_end,))
    os.close(write_end)
    return process, read_end


def _wait_ready(process: subprocess.Popen[bytes], read_end: int) -> bool:
    """True once the scheduler said ready; False when it exited (or never answered) first."""
    deadline = time.monotonic() + READY_SECONDS
    try:
        while time.monotonic() < deadline:
            readable, _, _ = select.select([read_end], [], [], 0.2)
            if readable:
                return os.read(read_end, 16).startswith(b"ready")  # b"" when it exited without a word
            if process.poll() is not None:
                return False
        return False
    finally:
        os.close(read_end)


def _stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(host: str, port: int, threads: int) -> int:
    """Start both, supervise them, stop both together; returns the exit status."""
    from .dev_secret import ensure_development_secret
    from .observability.logs import configure_logging

    configure_logging()
    ensure_development_secret()  # both processes and every restart sign with the same development key
    env = dict(os.environ)
    env.setdefault("STO_BASE_URL", f"http://{host}:{port}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped like Ctrl-C: both children stop too
    scheduler, read_end = _scheduler(env)
    try:
        ready = _wait_ready(scheduler, read_end)
    except (KeyboardInterrupt, SystemExit):
        _stop(scheduler)
        return 0
    if not ready:
        _stop(scheduler)
        print(
            "STO Flow did not start: the scheduler could not start (see the message above); the web server was not "
            "started either.",
            file=sys.stderr,
        )
        return 1
    serve = [
        f"--host={host}",
        f"--port={port}",
        f"--threads={threads}",
        "--call",
        "service.serving.wsgi:create_served_app",
    ]
    web = subprocess.Popen([sys.executable, "-m", "waitress", *serve], env=env)
    print(f"STO Flow on http://{host}:{port}  (scheduler running, pid {scheduler.pid}; web pid {web.pid})", flush=True)
    try:
        while True:
            for name, process, other in (("scheduler", scheduler, web), ("web server", web, scheduler)):
                code = process.poll()
                if code is not None:
                    _stop(other)
                    print(f"STO Flow stopped: the {name} exited ({code}), so everything was stopped.", file=sys.stderr)
                    return code or 1
            time.sleep(0.2)
    except (KeyboardInterrupt, SystemExit):
        _stop(web, scheduler)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.launcher", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    from .observability.logs import configure_logging  # here, not at import: tests import this module

    configure_logging()
    return run(args.host, args.port, args.threads)


if __name__ == "__main__":
    sys.exit(main())
