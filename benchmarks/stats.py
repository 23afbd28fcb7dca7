"""Latency summaries and peak memory, shared by the benchmarks."""

from __future__ import annotations

import os
import resource
import statistics
from typing import Any


def summarise(samples_s: list[float]) -> dict[str, Any]:
    """p50/p99/max in microseconds and throughput, from per-operation durations in seconds."""
    if not samples_s:
        return {"count": 0}
    ordered = sorted(samples_s)
    total = sum(ordered)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {
        "count": len(ordered),
        "p50_us": round(pct(0.50) * 1e6, 1),
        "p99_us": round(pct(0.99) * 1e6, 1),
        "max_us": round(ordered[-1] * 1e6, 1),
        "mean_us": round(statistics.fmean(ordered) * 1e6, 1),
        "scans_per_s": round(len(ordered) / total, 1) if total else None,
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages, rounded."""
    return [round(value, 2) for value in os.getloadavg()]


def counts_text(counts: dict[str, int]) -> str:
    """``{"ACCEPTED": 9, "WARNING": 18}`` as a person reads it: ``ACCEPTED 9, WARNING 18``."""
    return ", ".join(f"{key} {value:,}" for key, value in sorted(counts.items()))
