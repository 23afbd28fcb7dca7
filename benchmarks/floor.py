"""The floor under `lotscan bench validate`: the look-ups one judgement makes, as bare prepared
sqlite3 statements on the same cache, timed in the same run. Our judgement over this floor is
the overhead of everything else (interpretation, rules, SQLAlchemy), whatever the machine's load.

Per scan: the operator's badge, the task, the item by GTIN, the lot, the task's lines for the
item, the lot's places, the item's first FEFO candidate, and the double-read check: the same
statements `lotscan.store.queries` runs (the FEFO one is compiled from it), without the rest.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.dialects import sqlite

from lotscan.store import queries

OPERATOR = "SELECT badge, name, role, pin_hash FROM operators WHERE badge = ?"
TASK = "SELECT id, kind, code, status, partner, location_id, item_id, planned_qty FROM tasks WHERE code = ?"
ITEM = (
    "SELECT id, code, gtin, description, unit, lot_tracked, expiry_required, shelf_life_days, "
    "min_remaining_days, receive_status FROM items WHERE gtin = ?"
)
LOT = "SELECT id, item_id, code, status, expiry, best_before FROM lots WHERE item_id = ? AND code = ?"
LINES = (
    "SELECT id, line_no, item_id, qty_expected, qty_done, lot_code FROM task_lines "
    "WHERE task_id = ? AND item_id = ? ORDER BY line_no"
)
PLACES = (
    "SELECT locations.id, locations.code, locations.gln, locations.pickable, locations.is_hold, stock.qty "
    "FROM stock JOIN locations ON locations.id = stock.location_id WHERE stock.lot_id = ?"
)
DUPLICATE = "SELECT max(occurred_at) FROM events WHERE raw = ? AND occurred_at >= ? AND workflow = ?"


@dataclass(frozen=True)
class Lookup:
    """What one scan asks of the cache, read from the interpreted scan before timing starts."""

    operator: str
    task: str
    gtin: str | None
    lot: str | None
    raw: str
    workflow: str
    now: datetime


def _fefo_sql() -> tuple[str, tuple[str, ...], dict[str, object]]:
    """The FEFO statement exactly as `queries.fefo_candidates` runs it, with its constants."""
    compiled = queries._FEFO_DATED.compile(dialect=sqlite.dialect())
    return str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params)


def time_floor(database: Path, lookups: list[Lookup], duplicate_window_s: float) -> list[float]:
    """Seconds per scan for the bare statements, on a read-only connection to `database`."""
    fefo_sql, fefo_names, fefo_constants = _fefo_sql()
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, cached_statements=64)
    samples: list[float] = []
    try:
        for look in lookups:
            t0 = time.perf_counter()
            db.execute(OPERATOR, (look.operator,)).fetchone()
            task = db.execute(TASK, (look.task,)).fetchone()
            db.execute(DUPLICATE, (look.raw, look.now - timedelta(seconds=duplicate_window_s), look.workflow))
            item = db.execute(ITEM, (look.gtin,)).fetchone() if look.gtin else None
            if item is not None and task is not None:
                lot = db.execute(LOT, (item[0], look.lot)).fetchone()
                db.execute(LINES, (task[0], item[0])).fetchall()
                values = {**fefo_constants, "item": item[0], "today": look.now.date().isoformat(), "limit": 1}
                db.execute(fefo_sql, [values[name] for name in fefo_names]).fetchall()
                if lot is not None:
                    db.execute(PLACES, (lot[0],)).fetchall()
            samples.append(time.perf_counter() - t0)
    finally:
        db.close()
    return samples


def time_commit_floor(directory: Path, commits: int) -> list[float]:
    """Seconds per durable commit of one event-sized row on the disk the cache is on: WAL with
    synchronous=FULL, as the station writes. Under the recorded figure, whatever the code does."""
    path = directory / "commit-floor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    samples: list[float] = []
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)")
        row = "x" * 600
        for _ in range(commits):
            t0 = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO events (payload) VALUES (?)", (row,))
            db.execute("COMMIT")
            samples.append(time.perf_counter() - t0)
    finally:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return samples
