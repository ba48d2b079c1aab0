"""Fixtures for the observability tests: metrics read as Prometheus reads them, log lines as a shipper sees them."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from service.observability.logs import configure_logging

Sample = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: FlaskClient, **kwargs: Any) -> Sample:
    """GET /metrics and parse it with prometheus-client's own parser: {(sample name, labels): value}."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type.startswith("text/plain")
    samples: Sample = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Sample, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def json_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Logging configured as in production; returns a function giving every JSON line written to stderr so far."""
    root = logging.getLogger()
    level = root.level
    configure_logging(json=True)

    def lines() -> list[dict[str, Any]]:
        written = capsys.readouterr().err.splitlines()
        parsed = [json.loads(line) for line in written if line.strip()]
        collected.extend(parsed)
        return list(collected)

    collected: list[dict[str, Any]] = []
    yield lines
    for handler in [h for h in root.handlers if getattr(h, "_sto_handler", False)]:
        root.removeHandler(handler)
    root.setLevel(level)
