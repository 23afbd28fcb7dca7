"""`lotscan bench NAME --json`: the performance figures quoted in issues are measured here."""

from __future__ import annotations

import click

from lotscan.cli.lazy import LazyGroup

BENCHMARKS = {
    "validate": "lotscan.bench.validate:command",
    "ui": "lotscan.bench.ui:command",
    "devices": "lotscan.bench.devices:command",
    "sync": "lotscan.bench.sync:command",
    "trace": "lotscan.bench.trace:command",
}


@click.group(cls=LazyGroup, lazy=BENCHMARKS)
def bench() -> None:
    """Run a benchmark and print its figures (add --json for machine-readable output)."""
