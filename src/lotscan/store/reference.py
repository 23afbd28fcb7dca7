"""Reference rows kept between scans: operators, items, locations and tasks, by their keys.

A scan reads them every time, but no scan changes them: only a pull from central, an import or
an enrolment does (lotscan.sync, lotscan.services.importer). A judgement arms the rows of its
connection for the length of one scan (`scan_window`); the query functions of
lotscan.store.queries then answer from them, and read the cache on a miss. When the window
opens the rows are kept only if nothing but this connection's own scans wrote to the database
since the last window closed:

- `PRAGMA data_version` changes when any other connection committed (a pull, an import, a
  second `lotscan scan` on the same file): the rows are dropped.
- the connection's `total_changes` is taken when a window closes; if it grew outside a window
  (this connection wrote something else in between), the rows are dropped too.

Scans themselves write events, lots, stock, task lines, containers, serials and lot links,
never these tables (lotscan.store.effects), so the rows kept are the rows in the cache. Outside
a window (central, the sync worker, the UI's prompts) every query reads the database as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

_KEY = "lotscan.reference"
# Past this many kept rows they start over: memory stays bounded whatever the site.
MAX_ROWS = 50_000
_MISSING = object()
T = TypeVar("T")


class ReferenceRows:
    """The rows of one connection, and what the database looked like when they were last valid."""

    __slots__ = ("armed", "changes", "rows", "version")

    def __init__(self) -> None:
        self.rows: dict[tuple[object, object], object] = {}
        self.version: int | None = None
        self.changes = -1
        self.armed = False


# The kept rows of each connection inside its scan window, by id(connection): a look-up asks
# this dict, not Connection.info (two SQLAlchemy properties per read, several reads a scan).
_ARMED: dict[int, ReferenceRows] = {}


def lookup(conn: Connection, kind: object, key: object, read: Callable[[], T]) -> T:
    """`read()`, the row (or id, or None) of `kind` (the statement) for `key`; inside a scan
    window answered from the rows kept, and kept for the next scans."""
    refs = _ARMED.get(id(conn))
    if refs is None or not refs.armed:
        return read()
    found = refs.rows.get((kind, key), _MISSING)
    if found is _MISSING:
        found = read()
        if len(refs.rows) >= MAX_ROWS:
            refs.rows.clear()
        refs.rows[(kind, key)] = found
    return found  # type: ignore[return-value]  # kept by this function under this kind


class scan_window:
    """Arm the kept rows of `conn` for one scan, dropping them first when the database may
    have changed under them (see the module docstring). SQLite only; elsewhere a no-op.

    A class, not a @contextmanager generator: it is entered once per scan, and a generator's
    context manager costs several calls more each time."""

    __slots__ = ("_conn", "_driver", "_refs")

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._refs: ReferenceRows | None = None
        self._driver: Any = None

    def __enter__(self) -> None:
        conn = self._conn
        if conn.dialect.name != "sqlite":
            return
        refs = conn.info.get(_KEY)
        if refs is None:
            refs = conn.info[_KEY] = ReferenceRows()
        driver = conn.connection.dbapi_connection
        assert driver is not None  # a connection in use has its driver connection
        version = driver.execute("PRAGMA data_version").fetchone()[0]
        if version != refs.version or driver.total_changes != refs.changes:
            refs.rows.clear()
        refs.version = version
        refs.armed = True
        _ARMED[id(conn)] = refs
        self._refs, self._driver = refs, driver

    def __exit__(self, *_exc: object) -> None:
        refs = self._refs
        if refs is None:
            return
        _ARMED.pop(id(self._conn), None)
        refs.armed = False
        refs.changes = self._driver.total_changes
