"""Benchmark G: what the limits on diagram code cost per engine call.

Diagram code runs in engine worker processes (service/engine/isolation.py): a hard wall-time limit, an
address-space limit, every exception contained. This part measures one engine operation, completing the change
request's first task on the same stored state, two ways, interleaved so that noise hits both alike:
  worker      service.engine.complete_user_task: through the pool, with the limits (what the service runs)
  in-process  the same operation called directly in this process, without a worker or limits
The difference is the price of the isolation per step (pipe round trip, limits set and reset, result pickled).
"""

from __future__ import annotations

import time
from typing import Any

from samples import Samples

from service import engine as service_engine
from service.engine import workflows
from service.engine.diagrams import ParsedProcess

CALLS = 300
WARMUP = 30


def measure(process: ParsedProcess, state: str, task_id: str, data: dict[str, Any]) -> None:
    """Print the medians and p95 of both ways and their difference."""
    worker = Samples("worker (limits)")
    local = Samples("in-process (no limits)")
    for round_ in range(WARMUP + CALLS):
        for samples, call in (
            (worker, lambda: service_engine.complete_user_task(process, state, task_id, data, None)),
            (local, lambda: workflows.complete_user_task(process, state, task_id, data, None)),
        ):
            began = time.perf_counter_ns()
            call()
            if round_ >= WARMUP:
                samples.add(time.perf_counter_ns() - began)
    print()
    print(f"G. The cost of the limits: one engine call (complete 'indienen'), {CALLS} each, interleaved")
    for samples in (worker, local):
        print(f"  {samples.label:28s} median {samples.median_ms:6.2f} ms   p95 {samples.p95_ms:6.2f} ms")
    extra = worker.median_ms - local.median_ms
    print(f"  isolation adds {extra:.2f} ms per engine call ({worker.median_ms / local.median_ms:.2f}x the bare call)")
