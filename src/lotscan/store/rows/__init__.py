"""The row codec: every row shared between central and stations, read and written by natural key.

One entry per shared table in ROW_KINDS: the key's kind, its length, how central reads the row
(with the site it belongs to) and how a station writes it. A row's data is a dict of plain JSON
values, or None when the row does not exist (deleted, or never created).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from lotscan.domain.events.keys import Key
from lotscan.store.rows import readers, writers
from lotscan.store.rows.readers import RowData
from lotscan.store.rows.writers import RowSkipped
from lotscan.store.schema import (
    Container,
    Item,
    Location,
    Lot,
    LotLink,
    Operator,
    Party,
    Serial,
    Site,
    Stock,
    Task,
    TaskLine,
)

__all__ = [
    "ROW_KINDS",
    "SNAPSHOT_TABLES",
    "RowData",
    "RowKind",
    "RowSkipped",
    "read_row",
    "read_rows",
    "write_row",
]


@dataclass(frozen=True)
class RowKind:
    """One shared table as it travels: key kind and length, reader (central), writer (station)."""

    name: str
    arity: int
    read: Callable[[Connection, Key], tuple[RowData, str | None]]
    write: Callable[[Connection, Key, RowData], None]


ROW_KINDS: dict[str, RowKind] = {
    kind.name: kind
    for kind in (
        RowKind("lot", 3, readers.read_lot, writers.write_lot),
        RowKind("stock", 4, readers.read_stock, writers.write_stock),
        RowKind("task_line", 3, readers.read_task_line, writers.write_task_line),
        RowKind("container", 2, readers.read_container, writers.write_container),
        RowKind("serial", 3, readers.read_serial, writers.write_serial),
        RowKind("links", 2, readers.read_links, writers.write_links),
        RowKind("task", 2, readers.read_task, writers.write_task),
        RowKind("item", 2, readers.read_item, writers.write_item),
        RowKind("location", 2, readers.read_location, writers.write_location),
        RowKind("site", 2, readers.read_site, writers.write_site),
        RowKind("party", 2, readers.read_party, writers.write_party),
        RowKind("operator", 2, readers.read_operator, writers.write_operator),
    )
}


def _kind(key: Key) -> RowKind:
    kind = ROW_KINDS.get(key[0]) if key else None
    if kind is None or len(key) != kind.arity:
        raise ValueError(f"unknown row key {list(key)!r}")
    return kind


def read_row(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    """The row's data and the site it belongs to (None: visible to every site)."""
    return _kind(key).read(conn, key)


def read_rows(conn: Connection, keys: Iterable[Key]) -> list[tuple[Key, RowData, str | None]]:
    """`read_row` for each key, in the order given; stock rows read together."""
    keys = list(keys)
    stock = readers.read_stocks(conn, [k for k in keys if _kind(k).name == "stock"])
    return [(k, *(stock[k] if k in stock else read_row(conn, k))) for k in keys]


def write_row(conn: Connection, key: Key, data: RowData) -> None:
    """Make the local row named by `key` equal to `data` (None deletes it)."""
    _kind(key).write(conn, key, data)


def write_rows(conn: Connection, rows: Iterable[tuple[Key, RowData]]) -> int:
    """Write rows in order; rows naming unknown things are skipped. Returns how many were skipped."""
    skipped = 0
    for key, data in rows:
        try:
            write_row(conn, key, data)
        except RowSkipped:
            skipped += 1
    return skipped


# Tables a snapshot carries, in load order (parents first), with their columns.
SNAPSHOT_TABLES = (
    Party.__table__,
    Site.__table__,
    Location.__table__,
    Item.__table__,
    Operator.__table__,
    Lot.__table__,
    Stock.__table__,
    Container.__table__,
    Serial.__table__,
    Task.__table__,
    TaskLine.__table__,
    LotLink.__table__,
)


def snapshot_columns(table: Any) -> list[str]:
    return [c.name for c in table.columns]
