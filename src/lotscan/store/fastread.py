"""Per-scan statements on the SQLite driver connection, without SQLAlchemy's execution machinery.

A statement built at import (lotscan.store.queries, lotscan.store.effects) is compiled once for
SQLite; each call then binds its parameters with SQLAlchemy's own bind processors, runs the SQL
on the connection's sqlite3 connection (which keeps it prepared), and converts each column with
SQLAlchemy's own result processors. Same SQL, same values in and out: about a tenth of the
overhead per call, which is most of the cost of judging a scan (`lotscan bench validate` prints
the floor). The statements run in the caller's transaction, on the same driver connection.
Other databases (central on PostgreSQL) go through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite

_DIALECT = sqlite.dialect()
Processor = Callable[[Any], Any]
Statement = Any  # a Select of any columns: SQLAlchemy types each shape apart


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor | None, ...]
    any_bind: bool
    results: tuple[tuple[int, Processor], ...]  # only the columns that need converting
    keys: tuple[str, ...]
    constants: Mapping[str, Any]
    is_insert: bool = False


_COMPILED: dict[int, _Compiled] = {}
_WRITES: dict[tuple[int, tuple[str, ...]], _Compiled | None] = {}


def _compiled(statement: Statement) -> _Compiled:
    found = _COMPILED.get(id(statement))
    if found is None:
        compiled = statement.compile(dialect=_DIALECT)
        columns = list(statement.selected_columns)
        found = _compile(compiled)
        results = (column.type._cached_result_processor(_DIALECT, None) for column in columns)
        found = _Compiled(
            found.sql,
            found.names,
            found.binds,
            found.any_bind,
            tuple((index, p) for index, p in enumerate(results) if p is not None),
            tuple(column.key for column in columns),
            found.constants,
        )
        _COMPILED[id(statement)] = found
    return found


def _bind_processor(column_type: Any) -> Processor | None:
    """SQLAlchemy's bind processor of a column type for SQLite; a naive datetime is written
    by `datetime.isoformat` (C) in the very text SQLAlchemy's DATETIME writes, any other value
    by SQLAlchemy's own processor."""
    process = column_type._cached_bind_processor(_DIALECT)
    impl = column_type.dialect_impl(_DIALECT)
    if process is None or not isinstance(impl, sqlite.DATETIME) or impl._storage_format != _DATETIME_FORMAT:
        return process  # type: ignore[no-any-return]

    def datetime_text(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is None:
            text = value.isoformat(" ")
            return text if value.microsecond else text + ".000000"
        return process(value)

    return datetime_text


_DATETIME_FORMAT = sqlite.DATETIME._storage_format  # the default: with microseconds


def _compile(compiled: Any) -> _Compiled:
    names = tuple(compiled.positiontup or ())
    binds = tuple(_bind_processor(compiled.binds[name].type) for name in names)
    sql = str(compiled)
    return _Compiled(sql, names, binds, any(binds), (), (), dict(compiled.params), sql.startswith("INSERT"))


def _driver(conn: Connection) -> Any:
    return conn.connection.dbapi_connection


def _args(c: _Compiled, params: Mapping[str, Any]) -> list[Any]:
    values = {**c.constants, **params} if c.constants else params
    if not c.any_bind:
        return [values[name] for name in c.names]
    return [bind(values[name]) if bind else values[name] for name, bind in zip(c.names, c.binds, strict=True)]


def rows(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Every row of `statement` (a module-level statement: compiled once per process)."""
    if conn.dialect.name != "sqlite":
        return [tuple(row) for row in conn.execute(statement, dict(params))]
    c = _COMPILED.get(id(statement)) or _compiled(statement)
    # The usual statement takes its parameters as given, in order (no constants, no conversions).
    args = _args(c, params) if c.any_bind or c.constants else [params[name] for name in c.names]
    driver: Any = conn.connection.dbapi_connection
    fetched: list[tuple[Any, ...]] = driver.execute(c.sql, args).fetchall()
    if not c.results or not fetched:
        return fetched
    converted = []
    for row in fetched:
        values = list(row)
        for index, process in c.results:
            values[index] = process(values[index])
        converted.append(tuple(values))
    return converted


def first(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    found = rows(conn, statement, params)
    return found[0] if found else None


def scalar(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> Any:
    row = first(conn, statement, params)
    return row[0] if row else None


def mapping(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> dict[str, Any] | None:
    row = first(conn, statement, params)
    return dict(zip(_compiled(statement).keys, row, strict=True)) if row is not None else None


def write(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> int | None:
    """Run an INSERT or UPDATE built at import; returns the new row's id for an INSERT.

    A statement that needs SQLAlchemy to compute a column default for these parameters (a
    Python-side default, "prefetch") goes through SQLAlchemy, so every row is written exactly
    as `conn.execute` would write it. Values the database computes itself ("postfetch": a
    server default, or `qty_done = qty_done + ?`) need nothing from SQLAlchemy: Core does not
    read them back either.
    """
    if conn.dialect.name == "sqlite":
        key = (id(statement), tuple(params))
        if key not in _WRITES:
            compiled = statement.compile(dialect=_DIALECT, column_keys=list(params))
            needs_defaults = compiled.insert_prefetch or compiled.update_prefetch
            _WRITES[key] = None if needs_defaults else _compile(compiled)
        c = _WRITES[key]
        if c is not None:
            cursor = _driver(conn).execute(c.sql, _args(c, params))
            return cursor.lastrowid if c.is_insert else None
    result = conn.execute(statement, dict(params))
    key_of = result.inserted_primary_key if result.is_insert else None
    return int(key_of[0]) if key_of else None
