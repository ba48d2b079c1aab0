"""Diagram code runs in worker processes, under limits no diagram can get round.

Why a process and not only a checked sandbox: RestrictedPython stops escapes, and the sandbox counts loop rounds,
but C code cannot be interrupted from Python: `9**9**9`, `'x'*10**9` or a sort of a huge list never return to a
counter. A separate process can be stopped from outside (SIGKILL after the time limit) and gets an address-space
limit (RLIMIT_AS), so whatever a script does, the web process and its database transactions are untouched. Every
engine call that can run diagram code goes through here; one round trip costs a fraction of a millisecond.

The parent keeps a small pool of workers forked from a forkserver that has SpiffWorkflow loaded already (a new
worker after a kill is ready in milliseconds). Service tasks need the database, which stays in the parent: the
worker sends the call back and waits for the answer; that time does not count against the script's limit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

from .diagrams import ParsedProcess, parse_files
from .sandbox import ServiceHandler
from .serializer import StateUnreadable
from .trial import replay_trial
from .workflows import EngineError, TaskNotReady, engine_clock, run_operation

# Reasons shown to users (Dutch). The technical detail goes to the log and the audit trail.
TOO_SLOW = "het script of de berekening duurde te lang (meer dan {seconds:g} seconde) en is gestopt"
TOO_BIG = "het script of de berekening gebruikte te veel geheugen en is gestopt"
BROKEN_OFF = "de berekening is onverwacht afgebroken"
SETUP_SECONDS = 60.0


@dataclass(frozen=True)
class Limits:
    """What one engine call may use. `seconds` is wall time in the worker, service calls not counted."""

    seconds: float = 1.0
    memory_mb: int = 128  # on top of what the worker uses before the call


class _RemoteError(Exception):
    """A service call failed in the parent; the original exception is re-raised there."""


_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["service.engine.isolation", "service.engine.workflows"])
_NAME_SIZE = 256


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self) -> None:
        parent_end, child_end = _CONTEXT.Pipe()
        self.current = _CONTEXT.Array("c", _NAME_SIZE, lock=False)  # the task the worker is running, for reasons
        self.process = _CONTEXT.Process(target=_serve, args=(child_end, self.current), daemon=True, name="sto-engine")
        self.process.start()
        child_end.close()
        self.conn = parent_end
        # A new worker first imports what the main module needs; that is not the first script's time.
        if not self.conn.poll(SETUP_SECONDS) or self.conn.recv() != ("ready",):
            self.kill()
            raise EngineError("?", BROKEN_OFF, "the engine worker did not start")

    def alive(self) -> bool:
        return self.process.is_alive()

    def current_task(self) -> str:
        return bytes(self.current.value).decode("utf-8", "replace") or "?"

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(timeout=2)
        with contextlib.suppress(Exception):
            self.conn.close()


class EnginePool:
    """At most `size` workers; a call waits for a free one. Workers are started when first needed."""

    def __init__(self, size: int, limits: Limits) -> None:
        self.size = max(1, size)
        self.limits = limits
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._free_slots = threading.BoundedSemaphore(self.size)
        self._closed = False

    def warm(self) -> None:
        """Start the workers in the background now, so that no call waits for one: a new worker imports the
        main module of the process (multiprocessing's rule), which takes a second in a heavy one."""
        self._start_in_background(self.size - self._idle.qsize())

    def ready_workers(self) -> int:
        """How many started workers wait for a call."""
        return self._idle.qsize()

    def _start_in_background(self, count: int) -> None:
        def start() -> None:
            for _ in range(count):
                try:
                    worker = _Worker()
                except Exception:  # a call later starts one itself and reports why it cannot
                    return
                if self._closed or self._idle.qsize() >= self.size:
                    worker.kill()
                    return
                self._idle.put(worker)

        if count > 0:
            threading.Thread(target=start, name="sto-engine-warm", daemon=True).start()

    def run(self, op: str, process: ParsedProcess, args: tuple[Any, ...], services: ServiceHandler | None) -> Any:
        """Run engine operation `op` on `process` in a worker and return its result."""
        self._free_slots.acquire()
        worker: _Worker | None = None
        try:
            worker = self._take()
            result = self._call(worker, op, process, args, services)
            return result
        except BaseException:
            if worker is not None:
                worker.kill()  # its state is unknown after a failure of the call itself
                worker = None
                self._start_in_background(1)  # its successor is ready before the next call needs it
            raise
        finally:
            if worker is not None:
                self._idle.put(worker)
            self._free_slots.release()

    def shutdown(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return

    def _take(self) -> _Worker:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return _Worker()
            if worker.alive():
                return worker
            worker.kill()  # it left after a call that broke it or made it grow too much
            self._start_in_background(1)

    def _call(
        self, worker: _Worker, op: str, process: ParsedProcess, args: tuple[Any, ...], services: ServiceHandler | None
    ) -> Any:
        limits = self.limits
        # SpiffWorkflow reads the wall clock in timers; the worker uses the parent's, so a test clock holds there too.
        now = datetime.now(UTC)
        worker.conn.send(("run", op, process.key, process.process_id, args, services is not None, limits, now))
        deadline = time.monotonic() + limits.seconds
        service_error: BaseException | None = None
        while True:
            message = self._receive(worker, deadline, limits)
            kind = message[0]
            if kind == "files":
                # Parsing a deployment is not diagram code (and was checked when it was deployed): it has a
                # generous limit of its own, and the script's time starts when it is done.
                worker.conn.send(process.files)
                self._receive(worker, time.monotonic() + SETUP_SECONDS, limits)
                deadline = time.monotonic() + limits.seconds
            elif kind == "service":
                started = time.monotonic()
                try:
                    assert services is not None
                    worker.conn.send(("ok", services(message[1], message[2], message[3])))
                except Exception as err:  # passed back to the worker, which fails the step; re-raised below
                    service_error = err
                    worker.conn.send(("error", str(err)))
                deadline += time.monotonic() - started
            elif kind == "step":  # a trial replays many steps in one call: each gets a real call's time
                deadline = time.monotonic() + limits.seconds
            elif kind == "done":
                if message[1] == "ok":
                    return message[2]
                if service_error is not None:
                    raise service_error
                raise _rebuild(message[2])
            else:  # pragma: no cover - protocol error
                raise EngineError("?", BROKEN_OFF, f"unexpected message {kind!r}")

    @staticmethod
    def _receive(worker: _Worker, deadline: float, limits: Limits) -> Any:
        remaining = deadline - time.monotonic()
        try:
            ready = remaining > 0 and worker.conn.poll(remaining)
            if ready:
                return worker.conn.recv()
        except (EOFError, OSError) as err:
            task = worker.current_task()
            raise EngineError(task, TOO_BIG if _killed_for_memory(worker) else BROKEN_OFF, repr(err)) from err
        task = worker.current_task()
        raise EngineError(task, TOO_SLOW.format(seconds=limits.seconds), f"stopped after {limits.seconds} s")


def _killed_for_memory(worker: _Worker) -> bool:
    worker.process.join(timeout=1)
    return worker.process.exitcode == -signal.SIGKILL  # the kernel's OOM killer; RLIMIT_AS gives MemoryError instead


def _rebuild(error: tuple[str, ...]) -> BaseException:
    """Turn a worker's error description back into the engine's exception types."""
    kind = error[0]
    if kind == "not_ready":
        return TaskNotReady(error[1])
    if kind == "unreadable":
        return StateUnreadable(error[1])
    if kind == "engine":
        return EngineError(error[1], error[2], error[3])
    return EngineError(error[1], error[2], error[3])


# --- the worker side ----------------------------------------------------------------------------------------


def _serve(conn: Connection, current: Any) -> None:
    """The worker's loop: one engine call at a time until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops us
    conn.send(("ready",))
    processes: OrderedDict[str, dict[str, ParsedProcess]] = OrderedDict()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        _, op, key, process_id, args, has_services, limits, now = message
        current.value = b""
        if key not in processes:
            conn.send(("files",))
            processes[key] = parse_files(conn.recv())
            conn.send(("parsed",))
            while len(processes) > 64:
                processes.popitem(last=False)
        processes.move_to_end(key)
        process = processes[key]  # every executable process of the deployment, by id
        services = _remote_services(conn) if has_services else None
        fatal = False
        with _limited(limits), engine_clock(now):
            try:
                if op == "trial":
                    outcome = replay_trial(
                        process[process_id], *args, current=current, seconds=limits.seconds, next_step=_heartbeat(conn)
                    )
                else:
                    outcome = run_operation(op, process[process_id], args, services, current, limits.seconds)
                result: tuple[Any, ...] = ("done", "ok", outcome)
            except TaskNotReady as err:
                result = ("done", "error", ("not_ready", str(err)))
            except StateUnreadable as err:
                result = ("done", "error", ("unreadable", str(err)))
            except EngineError as err:
                result = ("done", "error", ("engine", err.task_name, err.reason, err.detail))
            except MemoryError as err:
                result = ("done", "error", ("worker", _task_name(current), TOO_BIG, repr(err)))
                fatal = True
            except BaseException as err:  # a script's BaseException, or anything else: contained here
                result = ("done", "error", ("worker", _task_name(current), BROKEN_OFF, repr(err)[:500]))
                fatal = not isinstance(err, Exception)
        conn.send(result)
        if fatal or _grown_too_much(limits):
            return  # the parent sees the pipe close and starts a fresh worker next time


def _heartbeat(conn: Connection) -> Callable[[], None]:
    """Tell the parent that a new step of a trial begins (it restarts the time limit)."""
    return lambda: conn.send(("step",))


def _task_name(current: Any) -> str:
    return bytes(current.value).decode("utf-8", "replace") or "?"


def _remote_services(conn: Connection) -> ServiceHandler:
    def call(operation: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
        conn.send(("service", operation, params, data))
        status, value = conn.recv()
        if status != "ok":
            raise _RemoteError(value)
        return value

    return call


_PAGE = os.sysconf("SC_PAGE_SIZE")
_BASELINE: list[int] = []  # the worker's address space before its first call


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * _PAGE


@contextlib.contextmanager
def _limited(limits: Limits) -> Any:
    """Cap the address space for one call: an allocation past it raises MemoryError inside the script."""
    if not _BASELINE:
        _BASELINE.append(_address_space())
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = max(_address_space(), _BASELINE[0]) + limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _grown_too_much(limits: Limits) -> bool:
    """A worker that kept much of a big call's memory is replaced rather than reused."""
    return bool(_BASELINE) and _address_space() > _BASELINE[0] + limits.memory_mb * 1024 * 1024 // 2
