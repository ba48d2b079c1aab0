"""The gunicorn settings `sto-flow serve` runs with (service/serving/gunicorn_config.py)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace

from prometheus_client import Gauge, values
from prometheus_client.core import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from service.serving import gunicorn_config, workers


def test_workers_default_to_twice_the_cores_plus_one(monkeypatch) -> None:
    assert workers.default_workers(1) == 3
    assert workers.default_workers(2) == 5
    monkeypatch.setenv("STO_WEB_WORKERS", "7")
    assert importlib.reload(gunicorn_config).workers == 7
    monkeypatch.delenv("STO_WEB_WORKERS")
    assert importlib.reload(gunicorn_config).workers == workers.default_workers()


def test_the_app_is_not_preloaded_and_workers_stop_gracefully() -> None:
    assert gunicorn_config.preload_app is False  # the engine's pool must not be shared across forked workers
    assert gunicorn_config.graceful_timeout >= 10
    assert gunicorn_config.worker_class == "sync"


def test_an_exited_worker_no_longer_counts_in_the_live_gauges(tmp_path: Path, monkeypatch) -> None:
    """A live gauge written by a worker that then exits is removed by child_exit, as /metrics would add it up."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    pid = 424242
    monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue(lambda: pid))
    gauge = Gauge("sto_busy_workers", "Requests in progress", multiprocess_mode="livesum", registry=None)
    gauge.set(3)

    def total() -> float:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(tmp_path))
        return registry.get_sample_value("sto_busy_workers") or 0.0

    assert total() == 3
    gunicorn_config.child_exit(server=None, worker=SimpleNamespace(pid=pid))
    assert total() == 0


def test_child_exit_does_nothing_without_a_metrics_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    gunicorn_config.child_exit(server=None, worker=SimpleNamespace(pid=1))  # no error, nothing to remove
