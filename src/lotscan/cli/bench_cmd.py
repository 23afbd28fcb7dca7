"""`lotscan bench NAME --json`: the performance figures quoted in issues are measured here.

The benchmarks themselves are not part of the product: they live in the `benchmarks/` package at
the top of the source checkout, next to `src/`. This command finds that folder (the checkout lotscan
runs from, or the current directory) and runs the named benchmark from it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import lotscan
from lotscan.cli.lazy import LazyGroup

BENCHMARKS = {
    "validate": "benchmarks.validate:command",
    "ui": "benchmarks.ui:command",
    "devices": "benchmarks.devices:command",
    "decode": "benchmarks.decode:command",
    "sync": "benchmarks.sync:command",
    "trace": "benchmarks.trace:command",
    "handhelds": "benchmarks.handhelds:command",
}

NOT_IN_A_CHECKOUT = (
    "the benchmarks live in the lotscan source checkout (benchmarks/, next to src/), and a wheel "
    "does not ship them. Clone the repository, `pip install -e .` there, and run `lotscan bench` "
    "from the checkout."
)


def benchmarks_folder() -> Path | None:
    """The checkout's `benchmarks/` folder: next to the `src/` lotscan runs from (an editable
    install), else in the current directory. None when lotscan runs from a wheel elsewhere."""
    for checkout in (Path(lotscan.__file__).resolve().parents[2], Path.cwd()):
        if (checkout / "benchmarks" / "__init__.py").is_file():
            return checkout / "benchmarks"
    return None


class BenchGroup(LazyGroup):
    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            folder = benchmarks_folder()
            if folder is None:
                raise click.UsageError(NOT_IN_A_CHECKOUT)
            if str(folder.parent) not in sys.path:
                sys.path.insert(0, str(folder.parent))
        return super().get_command(ctx, name)


@click.group(cls=BenchGroup, lazy=BENCHMARKS)
def bench() -> None:
    """Run a benchmark and print its figures (add --json for machine-readable output).

    The benchmarks are in the source checkout, in the top-level `benchmarks/` package (not in
    the product package, and not in the wheel). Run them from a checkout with lotscan installed
    from it (`pip install -e .`). From a wheel this command says so and exits 2.

    \b
    Examples:
      lotscan bench validate --lots 2000 --json
      lotscan bench trace --events 3000 --repeat 1 --json
    """
