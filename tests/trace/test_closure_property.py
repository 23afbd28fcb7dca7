"""The recursive walk agrees with a breadth-first walk on random genealogies, cycles included."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, text

from lotscan.central.db import open_central, read_tx, write_tx
from lotscan.central.schema import metadata
from lotscan.central.trace.genealogy import Direction, closure

LOTS = 40


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path: Path = tmp_path_factory.mktemp("closure") / "central.db"
    engine = open_central(f"sqlite:///{path}")
    with write_tx(engine) as conn:
        conn.execute(insert(metadata.tables["items"]), [{"id": 1, "code": "X"}])
        conn.execute(
            insert(metadata.tables["lots"]), [{"id": i, "item_id": 1, "code": f"L{i}"} for i in range(LOTS)]
        )
    return engine


def brute_force(
    edges: list[tuple[int, int]], roots: list[int], forward: bool, depth: int | None
) -> dict[int, int]:
    seen = {r: 0 for r in roots}
    queue = deque(roots)
    while queue:
        lot = queue.popleft()
        if depth is not None and seen[lot] >= depth:
            continue
        for parent, child in edges:
            nxt = child if forward and parent == lot else parent if not forward and child == lot else None
            if nxt is not None and nxt not in seen:
                seen[nxt] = seen[lot] + 1
                queue.append(nxt)
    return seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edges=st.lists(st.tuples(st.integers(0, LOTS - 1), st.integers(0, LOTS - 1)), max_size=80),
    roots=st.lists(st.integers(0, LOTS - 1), min_size=1, max_size=3, unique=True),
    forward=st.booleans(),
    depth=st.none() | st.integers(0, 6),
)
def test_walk_matches_breadth_first(
    engine: Engine, edges: list[tuple[int, int]], roots: list[int], forward: bool, depth: int | None
) -> None:
    with write_tx(engine) as conn:
        conn.execute(text("DELETE FROM lot_links"))
        if edges:
            conn.execute(
                insert(metadata.tables["lot_links"]),
                [{"parent_lot_id": p, "child_lot_id": c} for p, c in edges],
            )
    with read_tx(engine) as conn:
        found = closure(conn, roots, Direction.FORWARD if forward else Direction.BACKWARD, depth)
    assert found == brute_force(edges, roots, forward, depth)
