"""Per-scan reads on the SQLite driver connection, without SQLAlchemy's execution machinery.

A statement built at import (lotscan.store.queries) is compiled once for SQLite; each call then
binds its parameters with SQLAlchemy's own bind processors, runs the SQL on the connection's
sqlite3 connection (which keeps it prepared), and converts each column with SQLAlchemy's own
result processors. Same SQL, same values in and out: about a tenth of the overhead per call,
which is most of the cost of judging a scan (`lotscan bench validate` prints the floor). The
reads run in the caller's transaction, on the same driver connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite

_DIALECT = sqlite.dialect()
Processor = Callable[[Any], Any] | None
Statement = Any  # a Select of any columns: SQLAlchemy types each shape apart


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]
    keys: tuple[str, ...]
    constants: Mapping[str, Any]


_COMPILED: dict[int, _Compiled] = {}


def _compiled(statement: Statement) -> _Compiled:
    found = _COMPILED.get(id(statement))
    if found is None:
        compiled = statement.compile(dialect=_DIALECT)
        names = tuple(compiled.positiontup or ())
        columns = list(statement.selected_columns)
        found = _Compiled(
            str(compiled),
            names,
            tuple(compiled.binds[name].type._cached_bind_processor(_DIALECT) for name in names),
            tuple(column.type._cached_result_processor(_DIALECT, None) for column in columns),
            tuple(column.key for column in columns),
            dict(compiled.params),
        )
        _COMPILED[id(statement)] = found
    return found


def rows(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Every row of `statement` (a module-level statement: compiled once per process)."""
    if conn.dialect.name != "sqlite":
        return [tuple(row) for row in conn.execute(statement, dict(params))]
    c = _compiled(statement)
    values = {**c.constants, **params}
    args = [bind(values[name]) if bind else values[name] for name, bind in zip(c.names, c.binds, strict=True)]
    driver = conn.connection.driver_connection
    assert driver is not None
    fetched: list[tuple[Any, ...]] = driver.execute(c.sql, args).fetchall()
    if not any(c.results):
        return fetched
    return [tuple(p(v) if p else v for p, v in zip(c.results, row, strict=True)) for row in fetched]


def first(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    found = rows(conn, statement, params)
    return found[0] if found else None


def scalar(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> Any:
    row = first(conn, statement, params)
    return row[0] if row else None


def mapping(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> dict[str, Any] | None:
    row = first(conn, statement, params)
    return dict(zip(_compiled(statement).keys, row, strict=True)) if row is not None else None
