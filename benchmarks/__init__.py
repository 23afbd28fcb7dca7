"""Benchmarks behind `lotscan bench NAME --json`: the figures quoted in issues come from here.

They live in the checkout, outside the product package (`src/lotscan`), so a wheel does not ship
them. `lotscan bench` finds this folder next to `src/` when lotscan runs from a checkout."""

from __future__ import annotations

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def child_code(code: str) -> str:
    """Python source for `python -c` in a child process that imports these benchmarks: the child
    does not inherit this process's sys.path, so it gets the checkout first."""
    return f"import sys; sys.path.insert(0, {str(CHECKOUT)!r}); {code}"
