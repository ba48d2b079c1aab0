"""Durations of one measurement and the figures the bench prints about them."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field


def nearest_rank(values: list[float], share: float) -> float:
    """The `share` percentile by nearest rank (0.95 -> p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Samples:
    """Durations of one measurement, in nanoseconds."""

    label: str
    ns: list[int] = field(default_factory=list)
    json_bytes: int | None = None

    def add(self, elapsed_ns: int) -> None:
        self.ns.append(elapsed_ns)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.ns) / 1e6

    @property
    def p95_ms(self) -> float:
        return nearest_rank(self.ns, 0.95) / 1e6
