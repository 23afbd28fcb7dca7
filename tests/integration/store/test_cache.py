"""The cache file itself: pragmas, migrations that match the models, damaged files, FEFO SQL."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text

from lotscan.domain.fefo import StockCandidate, fefo_order
from lotscan.domain.status import LotStatus
from lotscan.store import queries as q
from lotscan.store.db import CacheError, open_cache
from lotscan.store.schema import Base, Item, Location, Lot, Site, Stock


def test_cache_is_wal_with_full_synchronous_commits(tmp_path: Path) -> None:
    engine = open_cache(tmp_path / "c.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_produce_exactly_the_models(tmp_path: Path) -> None:
    engine = open_cache(tmp_path / "c.db")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_every_rule_lookup_uses_an_index(tmp_path: Path) -> None:
    engine = open_cache(tmp_path / "c.db")
    statements = [
        (q._ITEM_BY_GTIN, {"key": "x"}),
        (q._LOT_BY_CODE, {"item": 1, "code": "x"}),
        (q._FEFO_DATED, {"item": 1, "today": date.today(), "limit": 1}),
        (q._STOCK_QTY, {"lot": 1, "location": 1}),
        (q._TASK_LINES_OF_ITEM, {"task": 1, "item": 1}),
        (q._LAST_SAME_SCAN, {"raw": "x", "since": datetime.now(), "workflow": "pick"}),
    ]
    with engine.connect() as conn:
        for statement, params in statements:
            compiled = statement.compile(conn, compile_kwargs={"render_postcompile": True})
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled),
                tuple(compiled.construct_params(params).get(k) for k in compiled.positiontup),
            ).all()
            details = " ".join(row[-1] for row in plan)
            assert "SCAN" not in details.replace("SCAN CONSTANT", ""), (str(statement), details)


def test_a_damaged_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    before = path.read_bytes()
    with pytest.raises(CacheError, match="not a usable lotscan cache"):
        open_cache(path)
    assert path.read_bytes() == before


def test_a_missing_cache_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    with pytest.raises(CacheError, match="no station cache"):
        open_cache(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


TODAY = date(2026, 11, 21)
stock_rows = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(-5, 30)),  # expiry offset
        st.sampled_from(["released", "released", "hold", "quarantine"]),
        st.integers(0, 4),  # location index
        st.sampled_from([0, 1, 5, 5, 10]),  # quantity
        st.integers(0, 3),  # receipt day
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture(scope="module")
def migrated_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty cache: each example starts from a copy (migrating takes ~0.3 s)."""
    path = tmp_path_factory.mktemp("template") / "c.db"
    open_cache(path).dispose()
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=stock_rows)
def test_fefo_sql_agrees_with_the_domain_rule(
    tmp_path_factory: pytest.TempPathFactory, migrated_cache: Path, rows: list
) -> None:
    copy = tmp_path_factory.mktemp("fefo") / "c.db"
    shutil.copyfile(migrated_cache, copy)
    engine = open_cache(copy)
    locations = [
        ("A", True, False),
        ("B", True, False),
        ("C", False, False),
        ("H", True, True),
        ("D", True, False),
    ]
    with engine.begin() as conn:
        conn.execute(insert(Site).values(id=1, code="S"))
        conn.execute(insert(Item).values(id=1, code="I", gtin="09521234001348"))
        for n, (code, pickable, hold) in enumerate(locations, start=1):
            conn.execute(insert(Location).values(id=n, site_id=1, code=code, pickable=pickable, is_hold=hold))
        for n, (offset, status, loc, qty, day) in enumerate(rows, start=1):
            expiry = None if offset is None else TODAY + timedelta(days=offset)
            received = datetime(2026, 1, 1) + timedelta(days=day)
            conn.execute(insert(Lot).values(id=n, item_id=1, code=f"L{n}", status=status, expiry=expiry))
            conn.execute(
                insert(Stock).values(id=n, lot_id=n, location_id=loc + 1, qty=qty, received_at=received)
            )
    with engine.connect() as conn:
        from_sql = q.fefo_candidates(conn, 1, TODAY, limit=len(rows))
        everything = [
            _candidate(row, locations)
            for row in conn.execute(
                text(
                    "SELECT stock.id, stock.location_id, stock.qty, lots.expiry, stock.received_at,"
                    " lots.status FROM stock JOIN lots ON lots.id = stock.lot_id"
                )
            ).mappings()
        ]
    assert [c.stock_id for c in from_sql] == [c.stock_id for c in fefo_order(everything, TODAY)]
    engine.dispose()


def _candidate(row: dict, locations: list[tuple[str, bool, bool]]) -> StockCandidate:
    code, pickable, hold = locations[row["location_id"] - 1]
    return StockCandidate(
        stock_id=row["id"],
        lot_id=row["id"],
        lot_code=f"L{row['id']}",
        location_code=code,
        quantity=float(row["qty"]),
        expiry=date.fromisoformat(row["expiry"]) if row["expiry"] else None,
        received_at=datetime.fromisoformat(row["received_at"]),
        status=LotStatus(row["status"]),
        pickable=pickable,
        hold_location=hold,
    )


def test_the_wal_is_checkpointed_off_the_scan_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import sqlite3
    import time

    from lotscan.store import db as store_db

    monkeypatch.setattr(store_db, "CHECKPOINT_EVERY_S", 0.05)
    path = tmp_path / "c.db"
    engine = open_cache(path)
    with engine.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        conn.execute(insert(Site).values(code="S"))
        conn.execute(insert(Item), [{"code": f"I{n}", "description": "x" * 200} for n in range(2000)])

    def items_in_main_file() -> int:
        """Count rows in a copy of the database file alone: only checkpointed pages are there."""
        copy = tmp_path / "copy.db"
        shutil.copyfile(path, copy)
        try:
            with sqlite3.connect(copy) as db:
                return db.execute("SELECT count(*) FROM items").fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    deadline = time.monotonic() + 5
    while items_in_main_file() != 2000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert items_in_main_file() == 2000


def test_the_wal_starts_over_while_scans_are_recorded_back_to_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 #8: with a write always in progress, a PASSIVE checkpoint never let the log
    start over, so the WAL grew by every commit for as long as scans kept coming (28,000
    frames, 112 MB, after 3,000 recorded scans). Now a checkpoint that caught up restarts it:
    the log holds the frames since the last restart, not every frame ever written."""
    import sqlite3
    import time

    from lotscan.store import db as store_db

    monkeypatch.setattr(store_db, "CHECKPOINT_EVERY_S", 0.02)
    monkeypatch.setattr(store_db, "RESTART_AFTER_FRAMES", 32)
    path = tmp_path / "c.db"
    engine = open_cache(path)
    with engine.begin() as conn:
        conn.execute(insert(Site).values(code="S"))
    wal = path.with_name(path.name + "-wal")

    def log_generation() -> bytes:
        # The WAL header's checkpoint sequence and salts change each time the log starts over
        # (sqlite.org/fileformat2.html, "WAL File Format"); reading them does not checkpoint.
        with wal.open("rb") as log:
            return log.read(32)[12:24]

    commits = 0
    generations: set[bytes] = set()
    # Until the log has started over twice, at least 300 commits and 3 s: a loaded machine
    # (load 17 in CI) runs the checkpoint thread late, so the deadline is generous.
    deadline = time.monotonic() + 120.0
    while time.monotonic() < deadline and (len(generations) < 3 or commits < 300):
        with engine.begin() as conn:  # back to back, as `lotscan bench validate` records
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            rows = [{"code": f"I{commits}-{n}", "description": "x" * 900} for n in range(8)]
            conn.execute(insert(Item), rows)
        commits += 1
        generations.add(log_generation())
    assert len(generations) >= 3, f"the log never started over in {commits} commits"
    with sqlite3.connect(path) as db:
        _busy, frames, _folded = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    db.close()
    written = commits * 3  # at least three pages a commit: the table and two indexes
    assert frames < written, f"{frames} frames in the log after {commits} commits"
    engine.dispose()
