"""The genealogy graph as set-based SQL: one recursive CTE walks lot_links from the root lots.

Edges are `lot_links` rows (parent lot -> child lot, quantity where known), written by the events
that move material between lots: lot.produced (work-order inputs -> output), lot.split,
lot.merged and lot.relabelled. Each walk is a single statement over the parent/child indexes;
callers join the closure to whatever they report, so a trace costs a handful of statements
whatever the size of the genealogy.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, TextClause, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from lotscan.domain.events import EventType

# Guards against cycles (a relabel back to an old code): no walk goes deeper than this.
MAX_DEPTH = 64

EDGE_KINDS = {
    EventType.LOT_PRODUCED: "production",
    EventType.LOT_SPLIT: "split",
    EventType.LOT_MERGED: "merge",
    EventType.LOT_RELABELLED: "relabel",
}


class Direction(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"


def closure_cte(direction: Direction) -> str:
    """`WITH RECURSIVE ... closure(lot_id, depth)`: the roots (depth 0) and every lot reached.

    Binds :roots (expanding) and :depth. UNION (not UNION ALL) keeps each (lot, depth) once, so
    lots reached by many paths cost one row per level, and the depth bound ends any cycle.
    """
    this, other = (
        ("parent_lot_id", "child_lot_id")
        if direction is Direction.FORWARD
        else ("child_lot_id", "parent_lot_id")
    )
    return f"""
WITH RECURSIVE walk(lot_id, depth) AS (
    SELECT id, 0 FROM lots WHERE id IN :roots
    UNION
    SELECT l.{other}, w.depth + 1
    FROM walk w JOIN lot_links l ON l.{this} = w.lot_id
    WHERE w.depth < :depth
),
closure(lot_id, depth) AS (SELECT lot_id, MIN(depth) FROM walk GROUP BY lot_id)
"""


def closure_query(direction: Direction, select_sql: str) -> TextClause:
    return text(closure_cte(direction) + select_sql).bindparams(bindparam("roots", expanding=True))


def prefer_index_walks(conn: Connection) -> None:
    """For the rest of the transaction, on PostgreSQL: nested loops over indexes, no JIT.

    The planner costs the walk before it knows how small the frontier is, and the report joins
    after it against tables of millions of rows; left alone it picks hash joins that scan every
    edge (or every stock row) for a few thousand look-ups, and JIT-compiles for 100+ ms what then
    runs in a few. A trace touches thousands of rows out of millions: index look-ups win."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_hashjoin = off")
        conn.exec_driver_sql("SET LOCAL enable_mergejoin = off")
        conn.exec_driver_sql("SET LOCAL jit = off")
        # the drill sorts ~50,000 events of 10,000 lots by time: in memory, not in temp files
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")


def closure_table(direction: Direction) -> str:
    return f"trace_{direction.value}"


def materialise(conn: Connection, roots: list[int], direction: Direction, depth: int | None) -> str:
    """Walk once into a temporary table (lot_id primary key, depth) that report queries join;
    returns its name. It lives until the end of the transaction (PostgreSQL) or connection.
    Leaves the transaction preferring index look-ups (see prefer_index_walks). PostgreSQL refuses
    temporary tables in a READ ONLY transaction: central's read_tx is repeatable read, not read-only."""
    name = closure_table(direction)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    on_commit = " ON COMMIT DROP" if conn.dialect.name == "postgresql" else ""
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {name} (lot_id INTEGER PRIMARY KEY, depth INTEGER){on_commit}"
    )
    prefer_index_walks(conn)
    query = closure_query(direction, f"INSERT INTO {name} (lot_id, depth) SELECT lot_id, depth FROM closure")
    conn.execute(query, {"roots": roots, "depth": bounded(depth)})
    return name


def closure(conn: Connection, roots: list[int], direction: Direction, depth: int | None) -> dict[int, int]:
    """lot id -> depth (0 for the roots) of every lot reachable from `roots`."""
    table = materialise(conn, roots, direction, depth)
    return {int(lot_id): int(d) for lot_id, d in conn.exec_driver_sql(f"SELECT lot_id, depth FROM {table}")}


def bounded(depth: int | None) -> int:
    return MAX_DEPTH if depth is None else max(0, min(depth, MAX_DEPTH))


def among(conn: Connection, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN values` for a list of any length: on PostgreSQL one array parameter joined as a
    table (`IN (SELECT unnest(:values))`), so a list of 20,000 lot codes is not 20,000
    placeholders for the driver to split and the server to parse, and the planner looks each
    value up through the column's index (with `= ANY(array)` on a table not yet analysed it may
    compare every row with every value); elsewhere a plain IN."""
    listed = list(values)
    if conn.dialect.name == "postgresql":
        return column.in_(select(func.unnest(bindparam(None, listed, type_=ARRAY(column.type)))))  # type: ignore[no-any-return]
    return column.in_(listed)  # type: ignore[no-any-return]


def in_list(conn: Connection, column_sql: str, name: str) -> str:
    """The textual form of `among` for text() queries over text columns: bind :name to a list;
    with `expanding` (see `bind_list`) on SQLite."""
    if conn.dialect.name == "postgresql":
        return f"{column_sql} IN (SELECT unnest(CAST(:{name} AS text[])))"
    return f"{column_sql} IN :{name}"


def bind_list(conn: Connection, query: TextClause, *names: str) -> TextClause:
    if conn.dialect.name == "postgresql":
        return query
    return query.bindparams(*(bindparam(n, expanding=True) for n in names))
