"""The tamper test, as the attacker with write access to central's database would do it.

Every column of a stored event and every field of every kind of central decision (status changes
from an admin and from a station, a recall, a reconciliation item opened and resolved, a station
added, enrolled and revoked, admin tokens, a recorded decision) is altered in turn, each time in
a transaction rolled back afterwards (a copy of the database); `audit verify` must name the
altered row. Then chain and head table are rewritten together so that `audit verify` alone finds
nothing, and a signed checkpoint taken before catches it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import (
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    Text,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)

from lotscan.central.operators import set_active
from lotscan.central.schema import operators as operators_table
from lotscan.central.tokens import add_admin_token, revoke_admin_token
from lotscan.central.trace import audit
from lotscan.central.trace.audited import (
    COMPANY_CHAIN,
    EVENT,
    EVENT_FIELDS,
    KINDS,
    chain_hash,
)
from lotscan.central.trace.decisions import record_decision
from lotscan.central.trace.tables import audit_heads, audit_log
from lotscan.cli.main import cli as main
from lotscan.store.schema import LotLink
from tests.central.support import Central, event, migrated_only_to, push

OLD_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how the chain formatted times before it covered every column
DECISION_KINDS = {kind for kind, a in KINDS.items() if not a.legacy and kind != EVENT}


@pytest.fixture
def busy(central: Central) -> Iterator[Central]:
    """A central with every kind of record: pushed events with every column set, a flagged one,
    a station's status change, admin status change, recall, resolution, revocation, decision."""
    central.enroll()  # a second station, enrolled
    _, token = central.enroll()
    skewed = (datetime.now(UTC) - timedelta(seconds=90)).isoformat()
    full = {
        **event(1, qty=2, task="PICK-1"),
        "workflow": "consume",  # the workflow that records a consumption (else BAD_ENVELOPE)
        "task_code": "PICK-1",
        "lot_code": "F-EARLY",
        "raw": "]C1010952123400001310F-EARLY",
        "verdict": "WARNING",
        "reasons": [{"code": "SHORT_DATED", "message": "expires soon"}],
    }
    on_hold = event(2, lot="F-HOLD")  # flagged: the lot is on hold -> a reconciliation item
    by_supervisor = {
        **event(3, "lot.status_changed", item="FLOUR", lot="F-OLD", to="hold", reason="damaged pallet"),
        "operator": "900",
    }
    answer = push(central, token, full, on_hold, by_supervisor, station_time=skewed)
    assert answer.status_code == 200, answer.text
    outcomes = [r["outcome"] for r in answer.json()["results"]]
    assert outcomes[1] == "flagged" and outcomes[0] != "rejected" and outcomes[2] != "rejected", outcomes
    admin = central.admin()
    held = central.http.post(
        "/api/v1/admin/lots/C-1/status", json={"action": "hold", "reason": "lab check"}, headers=admin
    )
    assert held.status_code == 200, held.text
    recalled = central.http.post(
        "/api/v1/admin/recall",
        json={"lots": ["S-1"], "reason": "supplier notice", "dry_run": False},
        headers=admin,
    )
    assert recalled.status_code == 200, recalled.text
    item = central.http.get("/api/v1/admin/flagged", headers=admin).json()[0]["id"]
    resolved = central.http.post(
        f"/api/v1/admin/flagged/{item}/resolve", json={"resolution": "counted again: fine"}, headers=admin
    )
    assert resolved.status_code == 200, resolved.text
    stations = central.http.get("/api/v1/admin/stations", headers=admin).json()
    revoked = central.http.post(f"/api/v1/admin/stations/{stations[0]['station']}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    with central.engine.begin() as conn:
        add_admin_token(conn, "leaver")
        revoke_admin_token(conn, "leaver")
        record_decision(conn, "recall.drill", by="admin:alice", subject="lot F-EARLY", detail={"minutes": 3})
    return central


def _other(value: Any, column: Any) -> Any:
    """A different value of the column's type (within its length)."""
    kind = column.type
    if value is None:
        if isinstance(kind, DateTime):
            return datetime(2026, 1, 2, 3, 4, 5)
        if isinstance(kind, Float):
            return 1.5
        if isinstance(kind, Integer):
            return 424242
        return "x"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 100_000
    if isinstance(value, float):
        return value + 1.5
    if isinstance(value, datetime):
        return value + timedelta(days=1)
    assert isinstance(kind, String | Text), column
    return value[:-1] + ("y" if value.endswith("x") else "x") if value else "x"


def _records(conn: Connection) -> list[Any]:
    return list(conn.execute(select(audit_log).order_by(audit_log.c.site, audit_log.c.site_seq)))


def test_every_stored_column_and_every_kind_of_decision_is_chained_and_each_alteration_is_named(
    busy: Central,
) -> None:
    with busy.engine.connect() as conn:
        assert audit.verify(conn).ok, audit.verify(conn).findings
        records = _records(conn)
    chained = {r.kind for r in records}
    assert chained >= {EVENT, *DECISION_KINDS}, DECISION_KINDS - chained
    chains = {r.site for r in records}
    assert chains == {"P1", COMPANY_CHAIN}
    by_kind = {r.kind: r for r in records}
    assert set(EVENT_FIELDS) == {c.name for c in KINDS[EVENT].table.columns}, "a column is not chained"
    tried = 0
    for kind, record in sorted(by_kind.items()):
        audited = KINDS[kind]
        table, key = audited.table, audited.table.c[audited.key]
        for field in audited.fields:
            with busy.engine.connect() as conn, conn.begin() as tx:
                current = conn.execute(select(table.c[field]).where(key == record.ref)).scalar()
                changed = _other(current, table.c[field])
                conn.execute(update(table).where(key == record.ref).values({field: changed}))
                findings = audit.verify(conn).findings
                tx.rollback()
            tried += 1
            named = [f for f in findings if f.kind == kind and f.ref == record.ref]
            expected = "removed" if field == audited.key else "altered"
            assert [f.problem for f in named] == [expected], (kind, field, findings)
            assert f"chain {record.site} record {record.site_seq}" in named[0].message
            if kind == EVENT and field != audited.key:
                with busy.engine.connect() as conn:
                    event_id = conn.execute(
                        text("SELECT id FROM received_events WHERE server_seq = :s"), {"s": record.ref}
                    ).scalar()
                assert field == "id" or event_id in named[0].message
            else:
                assert f"{kind} #{record.ref}" in named[0].message
    assert tried >= len(EVENT_FIELDS) + 2 * len(DECISION_KINDS)


def test_a_decision_inserted_or_deleted_behind_the_chains_back_is_named(busy: Central) -> None:
    with busy.engine.connect() as conn, conn.begin() as tx:
        conn.execute(
            text(
                "INSERT INTO lot_status_history (item, lot, from_status, to_status, effective_at, reason, "
                "by, source) VALUES ('FLOUR', 'F-RECALL', 'recalled', 'released', :at, 'oops', 'mallory', "
                "'central')"
            ),
            {"at": datetime(2026, 6, 1)},
        )
        conn.execute(text("DELETE FROM recalls"))
        findings = audit.verify(conn).findings
        tx.rollback()
    problems = {(f.problem, f.kind) for f in findings}
    assert ("unchained", "lot.status") in problems and ("removed", "recall") in problems


def _rewrite(conn: Connection, chain: str, change: Any) -> None:
    """The attacker's rewrite: alter a row, recompute every hash after it and the head."""
    change(conn)
    records = [r for r in _records(conn) if r.site == chain]
    last = records[0].prev_hash
    for r in records:
        audited = KINDS[r.kind]
        row = conn.execute(select(audited.table).where(audited.table.c[audited.key] == r.ref)).one()._mapping
        digest = chain_hash(last, audited, row)
        conn.execute(
            update(audit_log)
            .where(audit_log.c.site == chain, audit_log.c.site_seq == r.site_seq)
            .values(prev_hash=last, hash=digest)
        )
        last = digest
    conn.execute(update(audit_heads).where(audit_heads.c.site == chain).values(hash=last))


def test_a_rewrite_of_chain_and_heads_together_is_found_only_with_a_signed_checkpoint(
    busy: Central, tmp_path: Path
) -> None:
    runner = CliRunner()
    key = tmp_path / "keys" / "audit.key"
    made = runner.invoke(main, ["central", "audit", "keygen", "--out", str(key)])
    assert made.exit_code == 0, made.output
    assert key.stat().st_mode & 0o077 == 0
    checkpoint = tmp_path / "cp1.json"
    signed = runner.invoke(
        main,
        ["central", "audit", "checkpoint", "--key", str(key), "--out", str(checkpoint), "--db", busy.url],
    )
    assert signed.exit_code == 0, signed.output
    assert set(json.loads(checkpoint.read_text())["chains"]) == {"P1", COMPANY_CHAIN}
    verify = ["central", "audit", "verify", "--db", busy.url, "--checkpoint", str(checkpoint)]
    clean = runner.invoke(main, [*verify, "--key", f"{key}.pub"])
    assert clean.exit_code == 0 and "intact" in clean.output, clean.output
    # Later work goes on: the checkpoint still holds.
    _, token = busy.enroll()
    assert push(busy, token, event(1)).status_code == 200
    assert runner.invoke(main, [*verify, "--key", f"{key}.pub"]).exit_code == 0

    with busy.engine.begin() as conn:
        _rewrite(
            conn,
            "P1",
            lambda c: c.execute(
                text("UPDATE received_events SET operator = 'mallory' WHERE station_seq = 1")
            ),
        )
        _rewrite(
            conn, COMPANY_CHAIN, lambda c: c.execute(text("UPDATE recalls SET reason = 'nothing happened'"))
        )
    plain = runner.invoke(main, ["central", "audit", "verify", "--db", busy.url])
    assert plain.exit_code == 0, "the rewrite fooled verify without a checkpoint: " + plain.output
    caught = runner.invoke(main, [*verify, "--key", f"{key}.pub", "--json"])
    assert caught.exit_code == 1, caught.output
    found = json.loads(caught.output)["findings"]
    assert {(f["problem"], f["site"]) for f in found} == {
        ("checkpoint_mismatch", "P1"),
        ("checkpoint_mismatch", COMPANY_CHAIN),
    }


def test_a_forged_or_foreign_checkpoint_is_refused(busy: Central, tmp_path: Path) -> None:
    runner = CliRunner()
    keys = [tmp_path / "a.key", tmp_path / "b.key"]
    for key in keys:
        assert runner.invoke(main, ["central", "audit", "keygen", "--out", str(key)]).exit_code == 0
    checkpoint = tmp_path / "cp.json"
    args = [
        "central",
        "audit",
        "checkpoint",
        "--key",
        str(keys[0]),
        "--out",
        str(checkpoint),
        "--db",
        busy.url,
    ]
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, args)
    assert again.exit_code == 2 and "never overwritten" in again.output
    verify = ["central", "audit", "verify", "--db", busy.url, "--checkpoint", str(checkpoint)]
    foreign = runner.invoke(main, [*verify, "--key", f"{keys[1]}.pub"])
    assert foreign.exit_code == 2 and "another key" in foreign.output and "Traceback" not in foreign.output
    data = json.loads(checkpoint.read_text())
    data["chains"]["P1"]["seq"] -= 1
    checkpoint.write_text(json.dumps(data))
    forged = runner.invoke(main, verify)
    assert forged.exit_code == 2 and "signature does not match" in forged.output
    missing = runner.invoke(main, ["central", "audit", "checkpoint", "--key", str(tmp_path / "none.key")])
    assert missing.exit_code == 2 and "cannot read key" in missing.output


def test_events_dated_before_year_1000_verify_on_both_databases(central: Central) -> None:
    """audit verify said 'altered' for such events on PostgreSQL (to_char pads the year, strftime
    did not). Chained directly: push itself refuses dates outside 2000..2100."""
    row = {
        "server_seq": 990_001,
        "id": "ancient-1",
        "station": "P1-ST99",
        "station_seq": 1,
        "site": "P1",
        "operator": "100",
        "occurred_at": datetime(1, 1, 1, 0, 0, 0, 5),
        "received_at": datetime(999, 12, 31, 23, 59, 59),
        "clock_skew_s": -12.000001,
        "type": "stock.consumed",
        "payload": "{}",
        "reasons": "[]",
        "outcome": "rejected",
    }
    with central.engine.begin() as conn:
        conn.execute(KINDS[EVENT].table.insert().values(row))
        audit.append_events(conn, [{**dict.fromkeys(EVENT_FIELDS), **row}])
    with central.engine.connect() as conn:
        result = audit.verify(conn)
    assert result.ok, result.findings


def test_a_chain_made_before_the_upgrade_still_verifies_and_seal_chains_the_decisions(db_url: str) -> None:
    """Records chained by the old code (12 event fields, no kind) keep verifying after migration
    0007; decisions stored back then are reported unchained until `audit seal` chains them."""
    import hashlib

    from alembic import command

    from lotscan.central.db import _alembic_config, make_engine, upgrade

    engine = make_engine(db_url)
    try:
        config = _alembic_config()
        with engine.connect() as conn, conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, "0006_reach")
            at = datetime(2026, 3, 1, 8, 0, 0, 123456)
            old_fields = ("server_seq", "id", "station", "station_seq", "site", "operator", "occurred_at")
            old_fields += ("received_at", "type", "payload", "outcome", "outcome_reason")
            values = (
                1,
                "old-1",
                "P1-ST01",
                1,
                "P1",
                "100",
                at,
                at,
                "stock.consumed",
                '{"qty": 1}',
                "applied",
                None,
            )
            old_event = dict(zip(old_fields, values, strict=True))
            conn.execute(KINDS[EVENT].table.insert().values(**old_event, lot_code="F-1"))
            as_text = [
                "" if v is None else (v.strftime(OLD_TIME) if isinstance(v, datetime) else str(v))
                for v in values
            ]
            digest = hashlib.sha256(("0" * 64 + "\x1f" + "\x1f".join(as_text)).encode()).hexdigest()
            conn.execute(text(
                "INSERT INTO audit_log (server_seq, site, site_seq, prev_hash, hash) "
                "VALUES (1, 'P1', 1, :genesis, :h)"
            ), {"genesis": "0" * 64, "h": digest})  # fmt: skip
            conn.execute(
                text("INSERT INTO audit_heads (site, site_seq, hash) VALUES ('P1', 1, :h)"), {"h": digest}
            )
            conn.execute(text(
                "INSERT INTO recalls (created_at, by, reason, roots, lots_recalled, lots_affected) "
                "VALUES (:at, 'admin:old', 'before the upgrade', '[]', 0, 0)"
            ), {"at": at})  # fmt: skip
        upgrade(engine)
        with engine.connect() as conn:
            before = audit.verify(conn)
        assert [(f.problem, f.kind) for f in before.findings] == [("unchained", "recall")]
        with engine.begin() as conn:
            assert audit.seal_unchained(conn) == 1
        with engine.connect() as conn:
            after = audit.verify(conn)
            kinds = dict(conn.execute(text("SELECT kind, site FROM audit_log")).all())
        assert after.ok, after.findings
        assert kinds == {"event.v1": "P1", "recall": COMPANY_CHAIN}
        with engine.begin() as conn:  # the old record still guards its event
            conn.execute(text("UPDATE received_events SET operator = 'mallory' WHERE server_seq = 1"))
            assert [f.problem for f in audit.verify(conn).findings] == ["altered"]
    finally:
        engine.dispose()


def _decision_record(conn: Connection, item: str, lot: str) -> tuple[str, int]:
    """The chain and record number of the lot's last status decision."""
    row = conn.execute(
        text(
            "SELECT a.site, a.site_seq FROM lot_status_history h JOIN audit_log a "
            "ON a.kind = 'lot.status' AND a.ref = h.id WHERE h.item = :item AND h.lot = :lot "
            "ORDER BY h.id DESC LIMIT 1"
        ),
        {"item": item, "lot": lot},
    ).one()
    return str(row.site), int(row.site_seq)


def test_a_recall_or_hold_undone_in_the_lots_table_is_named_by_verify(busy: Central) -> None:
    """Tester's T16: `update lots set status='released'` on a recalled lot left every chain intact
    (the chain holds the recall; nothing compared it with the lot), and stations pulled the lot
    as released. Verify names each lot whose status or holder disagrees with its last decision."""
    runner = CliRunner()
    verify = ["central", "audit", "verify", "--db", busy.url]
    clean = runner.invoke(main, verify)
    assert clean.exit_code == 0 and "intact" in clean.output, clean.output  # imported statuses pass
    with busy.engine.begin() as conn:
        recall_at = _decision_record(conn, "SUGAR", "S-1")
        station_hold_at = _decision_record(conn, "FLOUR", "F-OLD")
        admin_hold_at = _decision_record(conn, "COOKIE", "C-1")
        conn.execute(
            text("UPDATE lots SET status = 'released', held_by = NULL WHERE code IN ('S-1', 'F-OLD')")
        )
        # C-1 is held by central (an admin's hold); the attacker hands it to site P1, whose
        # supervisor's station would then release it without asking central.
        conn.execute(text("UPDATE lots SET held_by = 'P1' WHERE code = 'C-1'"))
    found = runner.invoke(main, verify)
    assert found.exit_code == 1, found.output
    assert recall_at[0] == COMPANY_CHAIN and station_hold_at[0] == "P1"
    assert (
        "STATUS_MISMATCH: lot S-1 of SUGAR: status released in the table, recalled by the last recorded "
        f"decision (chain (company), record {recall_at[1]})"
    ) in found.output
    assert (
        "STATUS_MISMATCH: lot F-OLD of FLOUR: status released in the table, hold by the last recorded "
        f"decision (chain P1, record {station_hold_at[1]})"
    ) in found.output
    assert (
        "HOLDER_MISMATCH: lot C-1 of COOKIE: held by P1 in the table, held by central by the recorded "
        f"decisions since its last release (last: chain (company), record {admin_hold_at[1]})"
    ) in found.output
    assert "3 problem(s) found" in found.output
    # Put back as the decisions say, verify is intact again.
    with busy.engine.begin() as conn:
        conn.execute(text("UPDATE lots SET status = 'recalled', held_by = 'central' WHERE code = 'S-1'"))
        conn.execute(text("UPDATE lots SET status = 'hold', held_by = 'P1' WHERE code = 'F-OLD'"))
        conn.execute(text("UPDATE lots SET held_by = 'central' WHERE code = 'C-1'"))
    again = runner.invoke(main, verify)
    assert again.exit_code == 0 and "intact" in again.output, again.output


def test_a_lot_made_by_a_split_merge_or_relabel_altered_in_the_lots_table_is_named(central: Central) -> None:
    """A lot a split, merge or relabel made has no decision of its own: it has its source's status
    at that event (store/effects.py). `UPDATE lots SET status` on it verified intact: a recall
    lifted for the recalled goods split off. Each made lot is altered in turn; verify names it,
    the status it was made with, the event and its chain record. The sources' statuses are read
    at the event: S-1 held by a station and C-1 recalled by an admin between two splits."""
    _, token = central.enroll()

    def split(seq: int, item: str, lot: str, location: str, into: str, qty: float) -> dict[str, Any]:
        return event(
            seq, "lot.split", item=item, lot=lot, location=location, outputs=[{"lot": into, "qty": qty}]
        )

    hold = event(6, "lot.status_changed", item="SUGAR", lot="S-1", to="hold", reason="wet sacks")
    first = [
        split(1, "FLOUR", "F-RECALL", "A2", "F-R-A", 2),
        event(2, "lot.relabelled", item="FLOUR", lot="F-HOLD", new_lot="F-H-R", location="A1", qty=3),
        event(3, "lot.merged", item="FLOUR", lot="F-MIX", location="A1",
              inputs=[{"lot": "F-EARLY", "qty": 4}, {"lot": "F-LATE", "qty": 5, "location": "A2"}]),
        split(4, "SUGAR", "S-1", "A2", "S-1-A", 10),
        split(5, "COOKIE", "C-1", "A1", "C-1-A", 5),
        {**hold, "operator": "900"},
        split(7, "SUGAR", "S-1", "A2", "S-1-B", 10),
        split(8, "FLOUR", "F-R-A", "A2", "F-R-A1", 1),
    ]  # fmt: skip
    answer = push(central, token, *first)
    assert answer.status_code == 200, answer.text
    assert [r["outcome"] for r in answer.json()["results"]] == ["applied"] * len(first), answer.text
    recalled = central.http.post(
        "/api/v1/admin/lots/C-1/status",
        json={"action": "recall", "reason": "foreign body"},
        headers=central.admin(),
    )
    assert recalled.status_code == 200, recalled.text
    later = event(
        9, "lot.split", item="COOKIE", lot="C-1", location="A1", outputs=[{"lot": "C-1-B", "qty": 5}]
    )
    # Goods received into a made lot on hold (flagged, applied) do not make it "created" by the
    # receipt: it was a false status_mismatch ("released as created").
    into_made = event(10, "stock.received", item="SUGAR", lot="S-1-B", qty=1, location="DOCK")
    answer = push(central, token, later, into_made)
    assert [r["outcome"] for r in answer.json()["results"]] == ["applied", "flagged"], answer.text
    made_as = {  # status, holder (who may release it), the event that made it
        "F-R-A": ("recalled", "central", first[0]),  # the import's recall: central's
        "F-H-R": ("hold", "central", first[1]),
        "F-MIX": ("released", None, first[2]),
        "S-1-A": ("released", None, first[3]),  # split before the station's hold
        "C-1-A": ("released", None, first[4]),  # split before the admin's recall
        "S-1-B": ("hold", "P1", first[6]),  # after it: P1's supervisor may release it
        "F-R-A1": ("recalled", "central", first[7]),  # made from a made lot
        "C-1-B": ("recalled", "central", later),
    }
    runner = CliRunner()
    clean = runner.invoke(main, ["central", "audit", "verify", "--db", central.url])
    assert clean.exit_code == 0 and "intact" in clean.output, clean.output
    with central.engine.connect() as conn:
        in_codes = text("SELECT code, status, held_by FROM lots WHERE code IN :codes").bindparams(
            bindparam("codes", expanding=True)
        )
        stored = {r.code: (r.status, r.held_by) for r in conn.execute(in_codes, {"codes": list(made_as)})}
        chained = {
            r.id: r.site_seq
            for r in conn.execute(
                text(
                    "SELECT e.id, a.site_seq FROM received_events e JOIN audit_log a "
                    "ON a.kind = 'event' AND a.ref = e.server_seq"
                )
            )
        }
    assert stored == {lot: (status, holder) for lot, (status, holder, _) in made_as.items()}, stored
    for lot, (status, holder, made_by) in made_as.items():
        sources = ", ".join(
            [p["lot"] for p in made_by["payload"]["inputs"]] if "inputs" in made_by["payload"]
            else [made_by["payload"]["lot"]]
        )  # fmt: skip
        record = chained[made_by["id"]]
        where = f"(event {made_by['id']}, chain P1, record {record}) with no recorded decision since"
        made = f"as made by {made_by['type']} from lot {sources} {where}"
        altered = "released" if status != "released" else "hold"
        # The holder handed to site P2, whose supervisor's station would then release it.
        for column, value, said, meant in (
            ("status", altered, f"status {altered}", status),
            ("held_by", "P2", "held by P2", f"held by {holder or 'nobody'}"),
        ):
            with central.engine.connect() as conn, conn.begin() as tx:
                conn.execute(
                    text(f"UPDATE lots SET {column} = :v WHERE code = :lot"), {"v": value, "lot": lot}
                )
                findings = audit.verify(conn).findings
                tx.rollback()
            problem = "status_mismatch" if column == "status" else "holder_mismatch"
            assert [(f.problem, f.site, f.site_seq) for f in findings] == [
                (problem, "P1", chained[made_by["id"]])
            ], (lot, column, findings)
            item = made_by["payload"]["item"]
            assert findings[0].message == f"lot {lot} of {item}: {said} in the table, {meant} {made}", (
                findings
            )


def _genealogy(central: Central) -> dict[str, str]:
    """A production, a split, a merge and a relabel pushed by a station: four linking events, each
    applied (the production flagged NO_INPUTS: nothing consumed into WO-1); returns their ids by type."""
    _, token = central.enroll()
    made = [
        event(1, "lot.produced", task="WO-1", item="COOKIE", lot="C-NEW", qty=10, location="LINE",
              inputs=[{"item": "FLOUR", "lot": "F-EARLY", "qty": 2}, {"item": "SUGAR", "lot": "S-1"}]),
        event(2, "lot.split", item="FLOUR", lot="F-LATE", location="A2",
              outputs=[{"lot": "F-SPL1", "qty": 5}, {"lot": "F-SPL2", "qty": 3, "location": "A1"}]),
        event(3, "lot.merged", item="FLOUR", lot="F-MRG", location="A1",
              inputs=[{"lot": "F-SPL2", "qty": 3}, {"lot": "F-EARLY", "qty": 4}]),
        event(4, "lot.relabelled", item="FLOUR", lot="F-MRG", new_lot="F-REL", location="A1"),
    ]  # fmt: skip
    answer = push(central, token, *made)
    assert [r["outcome"] for r in answer.json()["results"]] == ["flagged"] + ["applied"] * 3, answer.text
    return {e["type"]: e["id"] for e in made}


def _verify_output(central: Central) -> Any:
    return CliRunner().invoke(main, ["central", "audit", "verify", "--db", central.url])


def test_a_genealogy_link_deleted_inserted_or_altered_is_named_by_verify(central: Central) -> None:
    """Tester W3: `delete from lot_links` of the relabel COC9161B -> COC9025D hid COC9025D from `central
    trace --forward` and from the recall of COC9161B, and verify said intact. Each link is checked
    against the chained event that made it (its event_id): deleted, inserted, re-pointed, or with
    another quantity, verify names the link and the event."""
    made = _genealogy(central)
    clean = _verify_output(central)
    assert clean.exit_code == 0 and "intact" in clean.output, clean.output
    with central.engine.connect() as conn:
        links = conn.execute(text("SELECT count(*) FROM lot_links")).scalar()
        other_lot = conn.execute(text("SELECT id FROM lots WHERE code = 'F-OLD'")).scalar()
    assert links == 7  # 2 inputs + 2 outputs + 2 inputs + 1 relabel
    relabel = "DELETE FROM lot_links WHERE event_id = :e"
    tampering = {
        "deleted relabel": (relabel, {"e": made["lot.relabelled"]}, ["LINK_MISSING"]),
        "inserted": (
            "INSERT INTO lot_links (parent_lot_id, child_lot_id, qty, task_code, event_id) "
            "VALUES (:lot, :lot, 1, NULL, :e)",
            {"lot": other_lot, "e": made["lot.split"]},
            ["LINK_UNEXPLAINED"],
        ),
        "re-pointed": (
            "UPDATE lot_links SET child_lot_id = :lot WHERE event_id = :e",
            {"lot": other_lot, "e": made["lot.relabelled"]},
            ["LINK_UNEXPLAINED", "LINK_MISSING"],
        ),
        "quantity": (
            "UPDATE lot_links SET qty = 0.5 WHERE event_id = :e AND qty = 2",
            {"e": made["lot.produced"]},
            ["LINK_UNEXPLAINED", "LINK_MISSING"],
        ),
        "no event": ("UPDATE lot_links SET event_id = NULL WHERE event_id = :e", {"e": made["lot.merged"]},
                     ["LINK_UNEXPLAINED", "LINK_UNEXPLAINED", "LINK_MISSING", "LINK_MISSING"]),
    }  # fmt: skip
    for name, (statement, params, problems) in tampering.items():
        with central.engine.begin() as conn:
            saved = conn.execute(text("SELECT * FROM lot_links ORDER BY id")).mappings().all()
            conn.execute(text(statement), params)
        found = _verify_output(central)
        with central.engine.begin() as conn:  # put back for the next one
            conn.execute(text("DELETE FROM lot_links"))
            conn.execute(insert(LotLink), [dict(row) for row in saved])
        assert found.exit_code == 1, (name, found.output)
        named = sorted(line.split(":")[0] for line in found.output.splitlines() if line.startswith("LINK_"))
        assert named == sorted(problems), (name, found.output)
        assert str(params["e"]) in found.output, (name, found.output)
    restored = _verify_output(central)
    assert restored.exit_code == 0 and "intact" in restored.output, restored.output
    with central.engine.begin() as conn:
        conn.execute(text(relabel), {"e": made["lot.relabelled"]})
    cut = _verify_output(central).output
    assert (
        f"LINK_MISSING: event {made['lot.relabelled']} from station" in cut
        and "FLOUR/F-MRG -> FLOUR/F-REL (quantity not recorded): that genealogy link is no longer" in cut
    ), cut


def test_an_operator_inserted_promoted_or_altered_behind_the_chains_back_is_named(
    central: Central, tmp_path: Path
) -> None:
    """Tester W3: `insert into operators ... ('6666','Mallory','admin',...)` and `update operators set
    role='supervisor'` left verify intact, and central accepted releases in those badges' names. Every
    operator central imports or (de)activates is a company decision recording their state; verify
    names each row that is not the state its last decision recorded."""
    with central.engine.begin() as conn:
        set_active(conn, "100", False, by="admin:alice", reason="badge lost")
        set_active(conn, "100", True, by="admin:alice", reason="badge found")
    with central.engine.connect() as conn:
        assert audit.verify(conn).ok, audit.verify(conn).findings
        recorded = conn.execute(
            text(
                "SELECT decision, subject FROM central_decisions WHERE subject LIKE 'operator %' ORDER BY id"
            )
        ).all()
    assert [tuple(r) for r in recorded] == [
        ("operator.imported", "operator 100"),
        ("operator.imported", "operator 900"),
        ("operator.deactivated", "operator 100"),
        ("operator.activated", "operator 100"),
    ]
    ops = operators_table
    tampering = {
        "inserted admin": (
            ops.insert().values(badge="6666", name="Mallory", role="admin", site="*", active=True),
            "OPERATOR_UNRECORDED: operator 6666 (Mallory, admin, site *): no recorded decision added it",
        ),
        "promoted": (
            update(ops).where(ops.c.badge == "100").values(role="supervisor"),
            "OPERATOR_MISMATCH: operator 100: role supervisor in the table, operator by the last recorded "
            "decision (chain (company), record",
        ),
        "moved": (update(ops).where(ops.c.badge == "900").values(site="P9"), "site P9 in the table, *"),
        "pin": (update(ops).where(ops.c.badge == "100").values(pin_hash="scrypt$x$y"), "PIN hash"),
        "deactivated": (update(ops).where(ops.c.badge == "100").values(active=False), "active False"),
        "deleted": (ops.delete().where(ops.c.badge == "900"), "OPERATOR_REMOVED: operator 900: recorded"),
    }  # fmt: skip
    for name, (statement, expected) in tampering.items():
        with central.engine.connect() as conn, conn.begin() as tx:
            conn.execute(statement)
            findings = audit.verify(conn).findings
            tx.rollback()
        messages = [f"{f.problem.upper()}: {f.message}" for f in findings]
        assert len(findings) == 1 and expected in messages[0], (name, messages)
    # A promotion through the import is a recorded decision: verify intact, and judged by it.
    promoted = {"badge": "100", "name": "Olga Operator", "role": "supervisor", "site": "*"}
    central.import_rows(tmp_path, {"operators": [promoted]})
    with central.engine.connect() as conn:
        assert audit.verify(conn).ok, audit.verify(conn).findings
        last = conn.execute(text("SELECT decision, detail FROM central_decisions ORDER BY id DESC")).first()
    assert last is not None and last.decision == "operator.imported"
    assert json.loads(last.detail)["state"]["role"] == "supervisor"


def test_operators_held_before_the_upgrade_are_recorded_by_the_migration(db_url: str) -> None:
    """Migration 0016 records, as `operator.recorded`, each operator central held before operators
    were recorded: verify is intact after the upgrade, and judges them from then on."""
    from lotscan.central.db import upgrade

    with migrated_only_to(db_url, "0015_task_line_qty_short") as engine:
        with engine.begin() as conn:
            conn.execute(
                operators_table.insert().values(
                    badge="2001", name="Old Supervisor", role="supervisor", site="*", active=True
                )
            )
        upgrade(engine)
        with engine.connect() as conn:
            assert audit.verify(conn).ok, audit.verify(conn).findings
        with engine.begin() as conn:
            conn.execute(update(operators_table).values(role="admin"))
            problems = [f.problem for f in audit.verify(conn).findings]
        assert problems == ["operator_mismatch"]


def test_stock_altered_behind_the_chains_back_is_named_by_verify(central: Central) -> None:
    """Tester W3: `update stock set qty = 0` on a recalled lot emptied the recall's "stock to pull"
    and verify said intact. Each lot's stock is what its chained events and the chained opening
    stock leave (the drill's mass balance, over every lot): `verify --stock` names each lot that
    differs."""
    _genealogy(central)
    clean = CliRunner().invoke(main, ["central", "audit", "verify", "--stock", "--db", central.url])
    assert clean.exit_code == 0 and "intact" in clean.output, clean.output
    for statement, expected in (
        (
            "UPDATE stock SET qty = 0 WHERE lot_id = (SELECT id FROM lots WHERE code = 'F-REL')",
            "STOCK_MISMATCH: lot F-REL of FLOUR: 0 SACK on hand in the stock table, 7 by the chained "
            "events and imported opening stock (received 0, produced 7, opening 0,",
        ),
        (
            "UPDATE stock SET qty = qty + 5 WHERE lot_id = (SELECT id FROM lots WHERE code = 'S-1')",
            "STOCK_MISMATCH: lot S-1 of SUGAR: 105 SACK on hand in the stock table, 100 by the chained",
        ),
        (
            "DELETE FROM stock WHERE lot_id = (SELECT id FROM lots WHERE code = 'C-1')",
            "STOCK_MISMATCH: lot C-1 of COOKIE: 0 EA on hand in the stock table, 40 by",
        ),
    ):
        with central.engine.connect() as conn, conn.begin() as tx:
            conn.execute(text(statement))
            findings = audit.verify(conn, stock=True).findings
            assert audit.verify(conn).ok  # the stock is compared when asked
            tx.rollback()
        messages = [f"{f.problem.upper()}: {f.message}" for f in findings]
        assert len(messages) == 1 and messages[0].startswith(expected), (statement, messages)


def test_stock_moved_between_locations_behind_the_chains_back_is_named_by_verify(central: Central) -> None:
    """The lot's total is unchanged, its locations are not: `verify --stock` replays each (lot,
    location) from the chained events and names both ends of the move, with both figures."""
    _genealogy(central)
    with central.engine.connect() as conn, conn.begin() as tx:
        conn.execute(
            text(
                "UPDATE stock SET location_id = (SELECT id FROM locations WHERE code = 'A2') "
                "WHERE lot_id = (SELECT id FROM lots WHERE code = 'F-REL')"
            )
        )
        findings = audit.verify(conn, stock=True).findings
        tx.rollback()
    assert [f"{f.problem.upper()}: {f.message}" for f in findings] == [
        "STOCK_MISMATCH: lot F-REL of FLOUR at A1: 0 SACK in the stock table, 7 by the chained events "
        "and imported opening stock (the lot's total holds: stock moved between its locations)",
        "STOCK_MISMATCH: lot F-REL of FLOUR at A2: 7 SACK in the stock table, 0 by the chained events "
        "and imported opening stock (the lot's total holds: stock moved between its locations)",
    ]


# Each recorded column of each kind of master data, altered: (table, where, column, new value, the
# recorded name verify says). Foreign keys are set to another row's id (a subquery on its code).
def _id_of(table: Any, code: str) -> Any:
    return select(table.c.id).where(table.c.code == code).scalar_subquery()


def _master_data_alterations() -> list[tuple[str, Any, Any, str, Any, str]]:
    from lotscan.store.schema import Item, Location, Party, Site, Task, TaskLine

    items, locations, sites = Item.__table__, Location.__table__, Site.__table__
    parties, tasks, lines = Party.__table__, Task.__table__, TaskLine.__table__
    line_2 = (lines.c.task_id == _id_of(tasks, "ASN-1")) & (lines.c.line_no == 2)
    return [
        ("item FLOUR", items, items.c.code == "FLOUR", "gtin", "09521234009986", "gtin"),
        ("item FLOUR", items, items.c.code == "FLOUR", "description", "Sawdust", "description"),
        ("item FLOUR", items, items.c.code == "FLOUR", "unit", "KG", "unit"),
        ("item FLOUR", items, items.c.code == "FLOUR", "lot_tracked", False, "lot_tracked"),
        ("item FLOUR", items, items.c.code == "FLOUR", "expiry_required", False, "expiry_required"),
        ("item FLOUR", items, items.c.code == "FLOUR", "shelf_life_days", 9999, "shelf_life_days"),
        ("item FLOUR", items, items.c.code == "FLOUR", "min_remaining_days", 0, "min_remaining_days"),
        ("item FLOUR", items, items.c.code == "FLOUR", "receive_status", "quarantine", "receive_status"),
        ("item LETTUCE", items, items.c.code == "LETTUCE", "pack_size", 1000, "pack_size"),
        ("item LETTUCE", items, items.c.code == "LETTUCE", "pack_unit", "PALLET", "pack_unit"),
        ("location HOLD", locations, locations.c.code == "HOLD", "is_hold", False, "is_hold"),
        ("location HOLD", locations, locations.c.code == "HOLD", "pickable", True, "pickable"),
        ("location A1", locations, locations.c.code == "A1", "site_id", _id_of(sites, "P2"), "site"),
        ("location A1", locations, locations.c.code == "A1", "gln", "9521234000136", "gln"),
        ("location A1", locations, locations.c.code == "A1", "name", "Elsewhere", "name"),
        ("site P1", sites, sites.c.code == "P1", "name", "Plant X", "name"),
        ("site P1", sites, sites.c.code == "P1", "gln", "9521234000143", "gln"),
        ("site P1", sites, sites.c.code == "P1", "time_zone", "Asia/Tokyo", "time_zone"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "kind", "supplier", "kind"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "name", "Brown Acres", "name"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "street", "1 Other Rd", "street"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "city", "Fresno", "city"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "postal_code", "1", "postal_code"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "country", "MX", "country"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "phone", "+1 0", "phone"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "gln", "9521234000150", "gln"),
        ("party GREENACRES", parties, parties.c.code == "GREENACRES", "ffrn", "12345678901", "ffrn"),
        ("task WO-1", tasks, tasks.c.code == "WO-1", "kind", "asn", "kind"),
        ("task WO-1", tasks, tasks.c.code == "WO-1", "status", "closed", "status"),
        ("task WO-1", tasks, tasks.c.code == "WO-1", "partner", "Mallory", "partner"),
        ("task WO-1", tasks, tasks.c.code == "WO-1", "due", datetime(2030, 1, 1).date(), "due"),
        ("task WO-1", tasks, tasks.c.code == "WO-1", "item_id", _id_of(items, "SUGAR"), "item"),
        ("task WO-1", tasks, tasks.c.code == "WO-1", "planned_qty", 1, "planned_qty"),
        ("task WO-1", tasks, tasks.c.code == "WO-1", "line", "L9", "line"),
        ("task WO-1", tasks, tasks.c.code == "WO-1", "location_id", _id_of(locations, "DOCK"), "location"),
        ("task line ASN-1/2", lines, line_2, "item_id", _id_of(items, "SUGAR"), "item"),
        ("task line ASN-1/2", lines, line_2, "qty_expected", 2000, "qty_expected"),
        ("task line ASN-1/2", lines, line_2, "lot_code", "F-OTHER", "lot_code"),
        ("task line ASN-1/2", lines, line_2, "sscc", "095212340000000020", "sscc"),
    ]


def test_master_data_altered_inserted_or_deleted_behind_the_chains_back_is_named(
    central: Central, tmp_path: Path
) -> None:
    """Issue 9 item 5: every site, location, item, party, task and task line central imports is a
    company decision recording its state (as operators are); each recorded column altered in a
    copy of the database, a row inserted and a row deleted, is named by verify."""
    from lotscan.store.schema import Item, Location, Party, Site, Task, TaskLine
    from tests.plant import FARM

    extra = {"sites": [{"code": "P2", "name": "Plant 2"}], "locations": [{"code": "B1", "site": "P1"}]}
    tables: dict[str, Any] = {**FARM, **extra}
    central.import_rows(tmp_path, tables)
    central.import_rows(tmp_path, tables)  # the same again: nothing changed, nothing recorded
    with central.engine.connect() as conn:
        assert audit.verify(conn).ok, audit.verify(conn).findings
        recorded = conn.execute(
            text("SELECT subject FROM central_decisions WHERE decision = 'party.imported' ORDER BY id")
        ).all()
    assert [r.subject for r in recorded] == ["party COOLCO", "party CREW", "party GREENACRES"]
    for name, table, where, column, value, said in _master_data_alterations():
        with central.engine.connect() as conn, conn.begin() as tx:
            assert conn.execute(update(table).where(where).values({column: value})).rowcount == 1, name
            findings = audit.verify(conn).findings
            tx.rollback()
        messages = [f"{f.problem.upper()}: {f.message}" for f in findings]
        noun = name.rsplit(" ", 1)[0].replace(" ", "_")
        assert len(findings) == 1 and findings[0].problem == f"{noun}_mismatch", (name, column, messages)
        assert findings[0].message.startswith(f"{name}: {said} "), (name, column, messages)
    sites, items, parties = Site.__table__, Item.__table__, Party.__table__
    locations, tasks, lines = Location.__table__, Task.__table__, TaskLine.__table__
    inserted_and_deleted = [
        (insert(sites).values(code="P7", name="Shadow", time_zone="UTC"), "SITE_UNRECORDED: site P7:"),
        (
            insert(locations).values(
                code="Z9", site_id=_id_of(sites, "P1"), name="", pickable=True, is_hold=False
            ),
            "LOCATION_UNRECORDED: location Z9:",
        ),
        (
            insert(items).values(
                code="EVIL",
                description="",
                unit="EA",
                lot_tracked=True,
                expiry_required=False,
                receive_status="released",
            ),
            "ITEM_UNRECORDED: item EVIL:",
        ),
        (
            insert(parties).values(code="SHELL", kind="customer", name="Shell Co"),
            "PARTY_UNRECORDED: party SHELL:",
        ),
        (insert(tasks).values(code="SHP-9", kind="shipment", status="open"), "TASK_UNRECORDED: task SHP-9:"),
        (
            insert(lines).values(
                task_id=_id_of(tasks, "PL-1"),
                line_no=2,
                item_id=_id_of(items, "FLOUR"),
                qty_expected=500,
                qty_done=0,
                qty_short=0,
            ),
            "TASK_LINE_UNRECORDED: task line PL-1/2:",
        ),
        (delete(locations).where(locations.c.code == "B1"), "LOCATION_REMOVED: location B1: recorded"),
        (delete(sites).where(sites.c.code == "P2"), "SITE_REMOVED: site P2: recorded"),
        (delete(items).where(items.c.code == "OTHER"), "ITEM_REMOVED: item OTHER: recorded"),
        (delete(parties).where(parties.c.code == "CREW"), "PARTY_REMOVED: party CREW: recorded"),
        (delete(tasks).where(tasks.c.code == "ASN-OLD"), "TASK_REMOVED: task ASN-OLD: recorded"),
        (
            delete(lines).where(lines.c.task_id == _id_of(tasks, "PL-1")),
            "TASK_LINE_REMOVED: task line PL-1/1:",
        ),
    ]
    for statement, expected in inserted_and_deleted:
        with central.engine.connect() as conn, conn.begin() as tx:
            conn.execute(statement)
            findings = audit.verify(conn).findings
            tx.rollback()
        messages = [f"{f.problem.upper()}: {f.message}" for f in findings]
        assert len(messages) == 1 and messages[0].startswith(expected), (expected, messages)
    # A change through the import is a recorded decision: verify intact, and judged by it.
    central.import_rows(
        tmp_path, {"items": [{"code": "OTHER", "gtin": "09521234009993", "shelf_life_days": 5}]}
    )
    with central.engine.connect() as conn:
        assert audit.verify(conn).ok, audit.verify(conn).findings
        last = conn.execute(
            text("SELECT decision, subject, detail FROM central_decisions ORDER BY id DESC")
        ).first()
    assert last is not None and (last.decision, last.subject) == ("item.imported", "item OTHER")
    assert json.loads(last.detail)["state"]["shelf_life_days"] == 5


def test_master_data_held_before_the_upgrade_is_recorded_by_the_migration(db_url: str) -> None:
    """Migration 0018 records, as `NOUN.recorded`, each site, location, item, party, task and task
    line central held before they were recorded: verify is intact after the upgrade, and judges
    them from then on."""
    from lotscan.central.db import upgrade
    from lotscan.store.schema import Item, Location, Site, Task, TaskLine

    with migrated_only_to(db_url, "0017_holders_of_lots_made_held") as engine:
        with engine.begin() as conn:
            conn.execute(insert(Site.__table__).values(code="P1", name="Plant 1", time_zone="UTC"))
            conn.execute(
                insert(Location.__table__).values(
                    code="HOLD", site_id=_id_of(Site.__table__, "P1"), name="", pickable=False, is_hold=True
                )
            )
            conn.execute(
                insert(Item.__table__).values(
                    code="FLOUR",
                    description="Flour",
                    unit="SACK",
                    lot_tracked=True,
                    expiry_required=True,
                    receive_status="released",
                    shelf_life_days=365,
                )
            )
            conn.execute(insert(Task.__table__).values(code="ASN-1", kind="asn", status="open"))
            conn.execute(
                insert(TaskLine.__table__).values(
                    task_id=_id_of(Task.__table__, "ASN-1"),
                    line_no=1,
                    item_id=_id_of(Item.__table__, "FLOUR"),
                    qty_expected=100,
                    qty_done=0,
                    qty_short=0,
                )
            )
        upgrade(engine)
        with engine.connect() as conn:
            assert audit.verify(conn).ok, audit.verify(conn).findings
        with engine.begin() as conn:
            conn.execute(update(Location.__table__).values(is_hold=False))
            conn.execute(update(TaskLine.__table__).values(qty_expected=1))
            conn.execute(update(Item.__table__).values(shelf_life_days=5000))
            problems = sorted(f.problem for f in audit.verify(conn).findings)
        assert problems == ["item_mismatch", "location_mismatch", "task_line_mismatch"]


def test_a_deleted_link_of_a_made_lot_is_named_once_and_its_status_judged_by_the_event(
    central: Central,
) -> None:
    """Tester X4: after `delete from lot_links` of a relabel of a recalled lot, verify named the
    made lot NO_DECISION ("no stored event that created it so") besides LINK_MISSING, though the
    chained relabel that made it is intact. Only the link is named; the lot's status is still
    judged from that event: altered as well, it is STATUS_MISMATCH naming the relabel."""
    _, token = central.enroll()
    relabel = event(1, "lot.relabelled", item="FLOUR", lot="F-HOLD", new_lot="F-X4", location="A1", qty=3)
    answer = push(central, token, relabel)
    assert [r["outcome"] for r in answer.json()["results"]] == ["applied"], answer.text
    assert _verify_output(central).exit_code == 0
    with central.engine.begin() as conn:
        conn.execute(text("DELETE FROM lot_links WHERE event_id = :e"), {"e": relabel["id"]})
    cut = _verify_output(central)
    assert cut.exit_code == 1 and "LINK_MISSING: event" in cut.output, cut.output
    assert "1 problem(s) found" in cut.output, cut.output
    assert "NO_DECISION" not in cut.output, cut.output
    with central.engine.begin() as conn:
        conn.execute(text("UPDATE lots SET status = 'quarantine' WHERE code = 'F-X4'"))
    altered = _verify_output(central).output
    assert "NO_DECISION" not in altered, altered
    assert "lot F-X4 of FLOUR: status quarantine in the table, hold as made by lot.relabelled" in altered, (
        altered
    )
