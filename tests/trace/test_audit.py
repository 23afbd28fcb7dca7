"""The audit chain: every pushed event is chained per site; tampering is found and named."""

from __future__ import annotations

import csv
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import text

from lotscan.central.db import read_tx, write_tx
from lotscan.central.push import push
from lotscan.central.tokens import StationIdentity, add_station
from lotscan.central.trace import audit
from lotscan.central.trace.auditlog import describe
from lotscan.cli.audit_cmd import audit_export, audit_verify
from lotscan.protocol import EventIn, PushRequest
from tests.trace.conftest import Genealogy


def _verify(g: Genealogy) -> audit.Verification:
    with read_tx(g.engine) as conn:
        return audit.verify(conn)


def _event_at(g: Genealogy, server_seq: int) -> tuple[str, str]:
    with read_tx(g.engine) as conn:
        row = conn.execute(
            text("SELECT id, site FROM received_events WHERE server_seq = :s"), {"s": server_seq}
        ).one()
    return row[0], row[1]


def _records_of(g: Genealogy, kind: str = "event") -> int:
    with read_tx(g.engine) as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_log WHERE kind = :k"), {"k": kind}).scalar())


def test_pushed_events_are_chained_and_verify_clean(fresh_genealogy: Genealogy) -> None:
    result = _verify(fresh_genealogy)
    assert result.ok, result.findings
    assert _records_of(fresh_genealogy) == len(fresh_genealogy.generated.events)
    assert result.sites == 3  # two sites' chains and the company chain (the imported operators)


def test_an_altered_event_is_named(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    event_id, _ = _event_at(g, 7)
    with write_tx(g.engine) as conn:
        conn.execute(text("UPDATE received_events SET operator = 'mallory' WHERE server_seq = 7"))
    findings = _verify(g).findings
    assert [(f.problem, f.event_id) for f in findings] == [("altered", event_id)]
    assert event_id in findings[0].message and "altered" in findings[0].message


def test_a_removed_event_and_a_removed_record_are_found(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    with write_tx(g.engine) as conn:
        conn.execute(text("DELETE FROM received_events WHERE server_seq = 4"))
        site_seq = conn.execute(
            text("SELECT site, site_seq FROM audit_log WHERE kind = 'event' AND ref = 10")
        ).one()
        conn.execute(text("DELETE FROM audit_log WHERE kind = 'event' AND ref = 10"))
    findings = _verify(g).findings
    problems = {(f.problem, f.server_seq) for f in findings}
    assert ("removed", 4) in problems
    missing = [f for f in findings if f.problem == "missing_records"]
    assert len(missing) == 1 and missing[0].site == site_seq[0] and missing[0].site_seq == site_seq[1] + 1
    assert any(f.problem == "unchained" and f.server_seq == 10 for f in findings)


def test_reordered_records_break_the_chain(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    with write_tx(g.engine) as conn:
        site, a, b = conn.execute(
            text(
                "SELECT site, min(site_seq) + 2, min(site_seq) + 3 FROM audit_log GROUP BY site ORDER BY site"
            )
        ).first()
        # Swap two neighbours' places in the chain (through a free slot: the pair is unique).
        conn.execute(
            text("UPDATE audit_log SET site_seq = -1 WHERE site = :s AND site_seq = :a"), {"s": site, "a": a}
        )
        conn.execute(
            text("UPDATE audit_log SET site_seq = :a WHERE site = :s AND site_seq = :b"),
            {"s": site, "a": a, "b": b},
        )
        conn.execute(
            text("UPDATE audit_log SET site_seq = :b WHERE site = :s AND site_seq = -1"), {"s": site, "b": b}
        )
    findings = _verify(g).findings
    assert {(f.problem, f.site, f.site_seq) for f in findings} >= {("broken_link", site, a)}
    assert all(f.site == site for f in findings)


def test_removing_the_newest_records_is_found(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    with write_tx(g.engine) as conn:
        conn.execute(text("DELETE FROM audit_log WHERE site_seq = (SELECT max(site_seq) FROM audit_log)"))
    assert "tail_removed" in {f.problem for f in _verify(g).findings}


def test_seal_chains_events_stored_without_a_record(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    with write_tx(g.engine) as conn:
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(text("DELETE FROM audit_heads"))
    assert {f.problem for f in _verify(g).findings} == {"unchained"}
    chained = _verify(g).records
    with write_tx(g.engine) as conn:
        sealed = audit.seal_unchained(conn)
    assert sealed >= len(g.generated.events) and chained == 0
    assert _verify(g).ok and _records_of(g) == len(g.generated.events)


def test_verify_and_export_commands(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    runner = CliRunner()
    clean = runner.invoke(audit_verify, ["--db", g.url])
    assert clean.exit_code == 0 and "intact" in clean.output, clean.output
    event_id, _ = _event_at(g, 3)
    with write_tx(g.engine) as conn:
        conn.execute(
            text("UPDATE received_events SET payload = replace(payload, :a, :b) WHERE server_seq = 3"),
            {"a": '"qty"', "b": '"qty "'},
        )
    tampered = runner.invoke(audit_verify, ["--db", g.url])
    assert tampered.exit_code == 1 and "ALTERED: " in tampered.output and event_id in tampered.output
    exported = runner.invoke(audit_export, ["--format", "csv", "--db", g.url])
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert len(rows) == len(g.generated.events)
    first = g.generated.events[0][1]
    row = next(r for r in rows if r["event_id"] == first.id)
    assert row["operator"] == first.operator and row["event"] == first.type
    assert f"lot {first.payload['lot']}" in row["what"] and len(row["hash"]) == 64


def test_concurrent_pushes_from_one_site_keep_one_chain(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    with write_tx(g.engine) as conn:
        stations = [StationIdentity(add_station(conn, "P1")[0], "P1") for _ in range(3)]

    def push_all(station: StationIdentity) -> None:
        for batch in range(8):
            events = [
                EventIn(
                    id=str(uuid.uuid4()),
                    seq=batch * 4 + n + 1,
                    occurred_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
                    type="stock.received",
                    operator="op-1",
                    lot_code=f"{station.name}-{batch}-{n}",
                    payload={
                        "item": "RAW-A",
                        "lot": f"{station.name}-{batch}-{n}",
                        "qty": 1.0,
                        "location": "DOCK-P1",
                    },
                )
                for n in range(4)
            ]
            with write_tx(g.engine) as conn:
                push(conn, station, PushRequest(station_time=datetime.now(UTC), events=events))

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(push_all, stations))
    result = _verify(g)
    assert result.ok, result.findings
    assert _records_of(g) == len(g.generated.events) + 3 * 8 * 4


def test_the_audit_log_line_reads_the_payload_through_the_vocabulary() -> None:
    receipt = {"item": "FLOUR", "lot": "F-1", "location": "DOCK", "qty": 12, "unit": "KG", "new_lot": True}
    held = {"item": "FLOUR", "lot": "F-1", "from": "released", "to": "hold", "reason": "smell"}
    assert describe("stock.received", receipt) == "12 KG of FLOUR lot F-1 at DOCK"
    assert describe("lot.status_changed", held) == "FLOUR lot F-1 status -> hold"
    assert describe("lot.relabelled", {"item": "F", "lot": "A", "new_lot": "B", "location": "L"}) == (
        "F lot A -> lot B at L"
    )
    assert describe("stock.teleported", {"lot": "X"}) == '{"lot": "X"}'
