"""Tester's T16, the part left out: `audit verify` judged a lot only against a recorded status
decision, and an import's status or the status a receipt created a lot with was none. The demo's
FLO3961E is recalled by `lotscan central import config/demo`; `UPDATE lots SET status =
'released'` on central's table then verified "intact", and stations pulled the lot released.

Written as the attacker with write access to central's database (and an operator who upgrades a
central that imported before), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from click.testing import CliRunner
from sqlalchemy import Connection, insert, select, text

from lotscan.central.db import _alembic_config, make_engine, upgrade
from lotscan.central.trace import audit
from lotscan.central.trace.audited import COMPANY_CHAIN
from lotscan.cli.main import cli as main
from lotscan.store.schema import Item, Lot
from tests.central.support import Central
from tests.central.test_authority import ev, outcome, push_raw

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def _verify(url: str) -> Any:
    return CliRunner().invoke(main, ["central", "audit", "verify", "--db", url])


def _insert_lot(conn: Connection, item: str, lot: str, status: str, held_by: str | None = None) -> None:
    """A lots row written without central's code (an old import, or the attacker)."""
    item_id = select(Item.id).where(Item.code == item).scalar_subquery()
    conn.execute(insert(Lot.__table__).values(item_id=item_id, code=lot, status=status, held_by=held_by))


def _last_decision(conn: Any, item: str, lot: str) -> Any:
    return conn.execute(
        text(
            "SELECT h.from_status, h.to_status, h.source, h.by, a.site, a.site_seq FROM lot_status_history h "
            "LEFT JOIN audit_log a ON a.kind = 'lot.status' AND a.ref = h.id "
            "WHERE h.item = :item AND h.lot = :lot ORDER BY h.id DESC LIMIT 1"
        ),
        {"item": item, "lot": lot},
    ).first()


def test_the_demos_imported_recall_undone_in_the_lots_table_is_named(db_url: str) -> None:
    """The tester's steps: the demo imported with the CLI, the recall undone with an UPDATE."""
    runner = CliRunner()
    imported = runner.invoke(main, ["central", "import", str(DEMO), "--db", db_url])
    assert imported.exit_code == 0, imported.output
    clean = _verify(db_url)
    assert clean.exit_code == 0 and "intact" in clean.output, clean.output
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            decided = _last_decision(conn, "FLOUR-T55", "FLO3961E")
            assert decided is not None, "the import's recall is not a recorded decision"
            assert (decided.from_status, decided.to_status, decided.source) == (None, "recalled", "import")
            assert decided.site == COMPANY_CHAIN
            conn.execute(text("UPDATE lots SET status = 'released', held_by = NULL WHERE code = 'FLO3961E'"))
        found = _verify(db_url)
        assert found.exit_code == 1, found.output
        assert (
            "STATUS_MISMATCH: lot FLO3961E of FLOUR-T55: status released in the table, recalled by the last "
            f"recorded decision (chain (company), record {decided.site_seq})"
        ) in found.output
        # Imported again unchanged, nothing new is recorded; the import puts the recall back, and
        # records that it did.
        again = runner.invoke(main, ["central", "import", str(DEMO), "--db", db_url])
        assert again.exit_code == 0, again.output
        with engine.connect() as conn:
            redone = _last_decision(conn, "FLOUR-T55", "FLO3961E")
            count = conn.execute(
                text("SELECT count(*) FROM lot_status_history WHERE source = 'import'")
            ).scalar()
        assert (redone.from_status, redone.to_status) == ("released", "recalled")
        assert _verify(db_url).exit_code == 0
        assert runner.invoke(main, ["central", "import", str(DEMO), "--db", db_url]).exit_code == 0
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT count(*) FROM lot_status_history WHERE source = 'import'")).scalar()
                == count
            )
    finally:
        engine.dispose()


def test_a_status_a_receipt_created_undone_in_the_lots_table_is_named(central: Central) -> None:
    """A station received F-LAB into quarantine (waiting for the lab). No decision was recorded
    for that status: an UPDATE to released verified intact. The chained receipt is what the lot
    is judged by until a decision of its own."""
    _, token = central.enroll("P1")
    received = {"item": "FLOUR", "lot": "F-LAB", "qty": 10, "location": "DOCK", "lot_status": "quarantine"}
    released = {"item": "FLOUR", "lot": "F-PLAIN", "qty": 10, "location": "DOCK"}
    receipt = ev(1, "stock.received", received)
    results = push_raw(central, token, [receipt, ev(2, "stock.received", released)]).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied"], results
    assert _verify(central.url).exit_code == 0
    with central.engine.begin() as conn:
        conn.execute(text("UPDATE lots SET status = 'released' WHERE code = 'F-LAB'"))
        conn.execute(text("UPDATE lots SET status = 'hold' WHERE code = 'F-PLAIN'"))
    found = _verify(central.url)
    assert found.exit_code == 1, found.output
    assert (
        f"STATUS_MISMATCH: lot F-LAB of FLOUR: status released in the table, quarantine as created (event "
        f"{receipt['id']}, chain P1, record "
    ) in found.output
    assert (
        "STATUS_MISMATCH: lot F-PLAIN of FLOUR: status hold in the table, released as created" in found.output
    )
    assert "2 problem(s) found" in found.output


def test_a_status_set_behind_the_chains_back_on_a_lot_nothing_created_is_named(central: Central) -> None:
    with central.engine.begin() as conn:
        _insert_lot(conn, "FLOUR", "F-GHOST", "recalled")
    found = _verify(central.url)
    assert found.exit_code == 1, found.output
    assert (
        "NO_DECISION: lot F-GHOST of FLOUR: status recalled in the table, with no recorded decision"
    ) in found.output


def test_who_may_lift_an_imported_hold_or_recall_stays_central(central: Central) -> None:
    """Recorded as central's decisions, imported statuses are lifted only at central, as
    lots.held_by (central) already told the stations: a supervisor's release is refused."""
    _, token = central.enroll("P1")
    for seq, lot in ((1, "F-HOLD"), (2, "F-RECALL")):
        release = {"item": "FLOUR", "lot": lot, "to": "released", "reason": "looks fine"}
        refused = outcome(central, token, ev(seq, "lot.status_changed", release, operator="900"))
        assert (refused["outcome"], refused["code"]) == ("rejected", "RELEASE_NOT_ALLOWED"), refused
    with central.engine.connect() as conn:
        held: dict[str, str | None] = dict(
            conn.execute(text("SELECT code, held_by FROM lots WHERE code IN ('F-HOLD', 'F-RECALL')")).all()
        )
    assert held == {"F-HOLD": "central", "F-RECALL": "central"}


def test_statuses_imported_before_the_upgrade_are_recorded_by_migration_0014(db_url: str) -> None:
    """A central that imported its lots before 0014 had no decision for those statuses: after the
    upgrade each is recorded (company chain, by migration 0014) and verify judges the lot."""
    engine = make_engine(db_url)
    try:
        config = _alembic_config()
        with engine.connect() as conn, conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, "0013_backfill_held_by")
            conn.execute(insert(Item.__table__).values(code="FLOUR", unit="kg"))
            _insert_lot(conn, "FLOUR", "F-R", "recalled", "central")
            _insert_lot(conn, "FLOUR", "F-OK", "released")
        upgrade(engine)
        with engine.connect() as conn:
            assert audit.verify(conn).ok, audit.verify(conn).findings
            recorded = _last_decision(conn, "FLOUR", "F-R")
            assert _last_decision(conn, "FLOUR", "F-OK") is None  # released as created: nothing to record
        assert (recorded.to_status, recorded.source, recorded.by, recorded.site) == (
            "recalled",
            "import",
            "migration 0014",
            COMPANY_CHAIN,
        )
        with engine.begin() as conn:
            conn.execute(text("UPDATE lots SET status = 'released', held_by = NULL WHERE code = 'F-R'"))
            problems = [(f.problem, f.message) for f in audit.verify(conn).findings]
        assert [p for p, _ in problems] == ["status_mismatch"], problems
        assert "recalled by the last recorded decision (chain (company)" in problems[0][1]
    finally:
        engine.dispose()
