"""gunicorn's settings for STO Flow (`gunicorn -c python:service.serving.gunicorn_config`); `sto-flow serve`
passes --bind and --workers on the command line, which win over the defaults here."""

from __future__ import annotations

import os
from typing import Any

from service.launcher import tell_ready
from service.serving.workers import default_workers

bind = os.environ.get("STO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("STO_WEB_WORKERS") or default_workers())
# Sync workers: one request per process at a time. Requests are CPU work under one interpreter lock, so threads
# would wait on each other (bench part F); processes do not. Put a buffering proxy (nginx) in front, as gunicorn
# advises for sync workers, so a slow client never holds a worker.
worker_class = "sync"
# A request taking longer than this is stuck (diagram code has its own limit of seconds): the worker is replaced.
timeout = 60
# On SIGTERM a worker finishes the request it is serving; after this many seconds it is killed.
graceful_timeout = 30
keepalive = 5
# Not preloaded: creating the app starts the engine's worker pool (service/engine/isolation.py: a forkserver,
# worker processes, pipes and a thread that warms them) and the database pool. Forked into every gunicorn worker,
# those would be shared by all of them (one pipe read by several processes) and the warming thread would not exist
# in the children. Each worker builds its own app instead; that costs a second per worker at start-up.
preload_app = False
# Heartbeat files on a memory file system, so a slow disk never makes gunicorn think a worker hangs.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "sto-flow"
# gunicorn 24+ opens a control socket at a fixed place in $HOME: two services on one machine would fight over it,
# and `sto-flow serve` already stops and starts everything together. Older versions ignore the name.
control_socket_disable = True


def when_ready(server: Any) -> None:
    """The socket listens: tell `sto-flow serve` (which waits for this before it reports the service up)."""
    tell_ready()


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited: its live metrics (gauges) must no longer count in what /metrics adds up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
