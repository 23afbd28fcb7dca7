"""A large, realistic station cache for benchmarks: N lots, 2N stock rows, built in seconds.

Rows go in through SQLite's executemany with the durable-commit pragmas relaxed during the
build only; the schema itself comes from the real migrations. Built files are cached by
(N, seed) under the cache directory so repeated runs start at once.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from lotscan import paths
from lotscan.services.pins import hash_pin
from lotscan.store.db import open_cache

PREFIX = "9521234"
STATUSES = ["released"] * 90 + ["quarantine"] * 4 + ["hold"] * 3 + ["recalled"] * 2 + ["rejected"]


def _check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin_of(item_number: int) -> str:
    body = "1" + PREFIX + f"{item_number:05d}"
    return body + _check_digit(body)


def lot_code(item_number: int, n: int) -> str:
    return f"L{item_number:05d}-{n:06d}"


@dataclass(frozen=True)
class BigCache:
    path: Path
    lots: int
    items: int
    locations: int
    build_s: float
    reused: bool


def item_count(lots: int) -> int:
    return max(50, min(5000, lots // 500))


def default_cache_dir() -> Path:
    return paths.bench_cache_dir()


def build_cache(
    path: Path | None = None,
    lots: int = 1_000_000,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
) -> BigCache:
    """Build (or reuse) a cache with `lots` lots; returns where it is and how long it took.
    ``progress`` hears a line every tenth of the rows (a 1M-lot build takes half a minute)."""
    say = progress or (lambda _line: None)
    path = path or default_cache_dir() / f"cache-{lots}-{seed}.db"
    items = item_count(lots)
    racks = max(100, min(2000, lots // 2000))
    done_marker = path.with_suffix(".complete")
    if path.exists() and done_marker.exists():
        return BigCache(path, lots, items, racks, 0.0, True)
    started = time.perf_counter()
    say(f"building a cache of {lots:,} lots and {2 * lots:,} stock rows in {path} (once; reused after) ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    done_marker.unlink(missing_ok=True)
    open_cache(path).dispose()
    rng = random.Random(seed)
    today = date.today()
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA journal_mode=WAL")
    with db:
        db.execute("INSERT INTO sites (id, code, name) VALUES (1, 'SITE', 'Bench site')")
        fixed = [("DOCK", 0, 0), ("STAGING", 0, 0), ("QA-HOLD", 0, 1), ("LINE", 0, 0)]
        db.executemany(
            "INSERT INTO locations (site_id, code, name, pickable, is_hold) VALUES (1, ?, '', ?, ?)",
            fixed + [(f"R{n:04d}", 1, 0) for n in range(racks)],
        )
        db.executemany(
            "INSERT INTO items (id, code, gtin, description, unit, lot_tracked, expiry_required,"
            " shelf_life_days, min_remaining_days, receive_status) VALUES (?, ?, ?, ?, 'EA', 1, 1, 365, 30,"
            " 'released')",
            [(i, f"ITEM{i:05d}", gtin_of(i), f"Bench item {i}") for i in range(1, items + 1)],
        )
        db.executemany(
            "INSERT INTO operators (badge, name, role, pin_hash) VALUES (?, ?, ?, ?)",
            [
                ("100", "Bench operator", "operator", None),
                ("900", "Bench supervisor", "supervisor", hash_pin("1")),
            ],
        )
        db.executemany(
            "INSERT INTO lots (id, item_id, code, status, expiry, received_at) VALUES (?,?,?,?,?,?)",
            _told(_lots(rng, lots, items, today), lots, "lots", say, started),
        )
        db.executemany(
            "INSERT INTO stock (lot_id, location_id, qty, received_at) VALUES (?,?,?,?)",
            _told(_stock(rng, lots, racks, today), 2 * lots, "stock rows", say, started),
        )
        _tasks(db, items)
    say("indexing and analysing ...")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    done_marker.write_text("ok")
    return BigCache(path, lots, items, racks, time.perf_counter() - started, False)


def _told(
    rows: Iterable[tuple[object, ...]], total: int, what: str, say: Callable[[str], None], started: float
) -> Iterator[tuple[object, ...]]:
    """The rows as they are, saying every tenth of them how far the build is."""
    step = max(1, total // 10)
    for n, row in enumerate(rows, start=1):
        yield row
        if n % step == 0:
            say(f"  {n:,} of {total:,} {what} ({time.perf_counter() - started:.0f} s)")


def _lots(rng: random.Random, lots: int, items: int, today: date) -> Iterator[tuple[object, ...]]:
    base = datetime.combine(today, datetime.min.time())
    for lot_id in range(1, lots + 1):
        item = (lot_id - 1) % items + 1
        n = (lot_id - 1) // items
        expiry = today + timedelta(days=rng.randint(-60, 700))
        yield (
            lot_id,
            item,
            lot_code(item, n),
            rng.choice(STATUSES),
            expiry.isoformat(),
            (base - timedelta(days=rng.randint(1, 300))).isoformat(sep=" "),
        )


def _stock(rng: random.Random, lots: int, racks: int, today: date) -> Iterator[tuple[object, ...]]:
    received = datetime.combine(today, datetime.min.time()).isoformat(sep=" ")
    for lot_id in range(1, lots + 1):
        first = rng.randrange(racks)
        second = (first + 1 + rng.randrange(racks - 1)) % racks
        # location ids: 1-4 are the fixed places, racks follow
        yield (lot_id, 5 + first, float(rng.choice((5, 10, 20, 40, 60))), received)
        yield (lot_id, 5 + second, float(rng.choice((1, 2, 5, 10))), received)


def _tasks(db: sqlite3.Connection, items: int) -> None:
    sample = list(range(1, min(items, 200) + 1))
    tasks = [
        (1, "asn", "ASN-B1", "open", "Bench supplier", None, None, 1),
        (2, "pick_list", "PL-B1", "open", "Bench customer", None, None, 2),
        (3, "work_order", "WO-B1", "open", None, 1, 1000.0, 4),
    ]
    db.executemany(
        "INSERT INTO tasks (id, kind, code, status, partner, item_id, planned_qty, location_id)"
        " VALUES (?,?,?,?,?,?,?,?)",
        tasks,
    )
    lines = []
    for task_id in (1, 2, 3):
        for line_no, item in enumerate(sample, start=1):
            lines.append((task_id, line_no, item, 1e9, 0.0))
    db.executemany(
        "INSERT INTO task_lines (task_id, line_no, item_id, qty_expected, qty_done) VALUES (?,?,?,?,?)", lines
    )
