"""The text /metrics answers: this process's metrics (or, in multiprocess mode, every process's, added up from
PROMETHEUS_MULTIPROC_DIR) followed by the gauges read from the database."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST


def render(database_gauges: Collector, *, multiproc_dir: str = "") -> bytes:
    """Prometheus text format. `multiproc_dir` empty: this process's own registry."""
    if multiproc_dir:
        # A fresh registry per scrape, as prometheus-client prescribes for multiprocess mode: the collector reads
        # the files every worker wrote (live and dead ones; the serve command cleans up after dead workers).
        recorded = CollectorRegistry()
        MultiProcessCollector(recorded, path=multiproc_dir)
    else:
        recorded = REGISTRY
    from_database = CollectorRegistry(auto_describe=False)
    from_database.register(database_gauges)
    return generate_latest(recorded) + generate_latest(from_database)
