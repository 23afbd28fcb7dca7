"""Push: exactly-once effects, per-station order, outcomes as answers, flags that open reconciliation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lotscan.central.schema import received_events, reconciliation_items
from tests.central.support import Central, auth, event, push, state_of


def stock(central: Central, lot: str = "F-EARLY", location: str = "A1") -> float:
    return state_of(central.engine)["stock"][("FLOUR", lot, location)]


def test_each_event_has_its_effect_once_and_a_repeat_is_acknowledged_with_the_stored_outcome(central) -> None:
    _, token = central.enroll()
    first, second = event(1, qty=10), event(2, qty=5)
    answer = push(central, token, first, second)
    assert answer.status_code == 200, answer.text
    assert [(r["seq"], r["outcome"], r["duplicate"]) for r in answer.json()["results"]] == [
        (1, "applied", False),
        (2, "applied", False),
    ]
    again = push(central, token, second, event(3, qty=1))
    assert [(r["seq"], r["duplicate"]) for r in again.json()["results"]] == [(2, True), (3, False)]
    assert again.json()["results"][0]["server_seq"] == answer.json()["results"][1]["server_seq"]
    assert stock(central) == 50 - 16
    with central.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(received_events)).scalar() == 3


def test_a_gap_refuses_the_whole_batch_and_names_the_seq_expected(central) -> None:
    _, token = central.enroll()
    push(central, token, event(1))
    answer = push(central, token, event(3), event(4))
    assert answer.status_code == 409
    assert answer.json()["error"] == "SEQ_GAP" and answer.json()["expected_seq"] == 2
    assert stock(central) == 49
    unordered = push(central, token, event(2), event(4))
    assert unordered.status_code == 422


def test_poison_is_recorded_as_failed_and_the_queue_moves_on(central) -> None:
    _, token = central.enroll()
    answer = push(central, token, event(1), event(2, location="NOWHERE"), event(3, qty=2))
    results = answer.json()["results"]
    assert answer.status_code == 200
    assert [r["outcome"] for r in results] == ["applied", "failed", "applied"]
    assert "NOWHERE" in results[1]["reason"]
    assert stock(central) == 47
    with central.engine.connect() as conn:
        stored = conn.execute(
            select(received_events.c.outcome).order_by(received_events.c.station_seq)
        ).scalars()
        assert list(stored) == ["applied", "failed", "applied"]


def test_duplicate_container_is_poison_even_on_postgres(central) -> None:
    _, token = central.enroll()
    receive = {"item": "FLOUR", "lot": "F-PAL", "location": "DOCK", "qty": 20, "sscc": "095212340000000013"}
    answer = push(
        central, token, event(1, "stock.received", **receive), event(2, "stock.received", **receive)
    )
    assert [r["outcome"] for r in answer.json()["results"]] == ["applied", "failed"]
    assert state_of(central.engine)["stock"][("FLOUR", "F-PAL", "DOCK")] == 20


def test_two_stations_consuming_the_same_lot_offline_both_count_and_the_oversell_is_flagged(central) -> None:
    _, one = central.enroll()
    _, two = central.enroll()
    assert push(central, one, event(1, qty=40)).json()["results"][0]["outcome"] == "applied"
    flagged = push(central, two, event(1, qty=30)).json()["results"][0]
    assert flagged["outcome"] == "flagged" and flagged["reason"].startswith("NEGATIVE_STOCK")
    assert stock(central) == -20
    items = central.http.get("/api/v1/admin/flagged", headers=central.admin()).json()
    assert [(i["code"], i["lot_code"]) for i in items] == [("NEGATIVE_STOCK", "F-EARLY")]


def test_consuming_a_lot_that_was_on_hold_at_the_events_time_is_flagged(central) -> None:
    _, token = central.enroll()
    before = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    hold = central.http.post(
        "/api/v1/admin/lots/F-LATE/status", json={"action": "hold", "reason": "lab"}, headers=central.admin()
    )
    assert hold.status_code == 200, hold.text
    late = push(central, token, event(1, lot="F-LATE", location="A2", occurred_at=before))
    assert late.json()["results"][0]["outcome"] == "applied"  # it was released when it happened
    now = push(central, token, event(2, lot="F-LATE", location="A2"))
    assert now.json()["results"][0]["outcome"] == "flagged"
    assert "LOT_ON_HOLD" in now.json()["results"][0]["reason"]


def test_clock_skew_is_recorded_and_events_from_the_future_or_a_clock_years_off_are_flagged(central) -> None:
    station, token = central.enroll()
    years_off = (datetime.now(UTC) + timedelta(days=3 * 365)).isoformat()
    answer = push(central, token, event(1, occurred_at=years_off), station_time=years_off)
    body = answer.json()
    assert answer.status_code == 200 and body["clock_skew_s"] > 365 * 86400
    assert body["results"][0]["outcome"] == "flagged" and "CLOCK_SKEW" in body["results"][0]["reason"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    answer = push(central, token, event(2, occurred_at=future))
    assert "EVENT_FROM_FUTURE" in answer.json()["results"][0]["reason"]
    rows = central.http.get("/api/v1/admin/stations", headers=central.admin()).json()
    assert next(r["clock_skew_s"] for r in rows if r["station"] == station) < 5
    with central.engine.connect() as conn:
        codes = conn.execute(
            select(reconciliation_items.c.code).order_by(reconciliation_items.c.id)
        ).scalars()
        assert list(codes) == ["CLOCK_SKEW", "EVENT_FROM_FUTURE"]


def test_a_station_cannot_write_another_sites_data(central, tmp_path) -> None:
    central.import_rows(tmp_path, {"sites": [{"code": "P2"}], "locations": [{"code": "B1", "site": "P2"}]})
    _, token = central.enroll("P2")
    answer = push(central, token, event(1))  # A1 belongs to P1
    result = answer.json()["results"][0]
    assert result["outcome"] == "rejected" and result["reason"].startswith("SITE_MISMATCH")
    assert stock(central) == 50


def test_wrong_or_revoked_tokens_and_admin_only_endpoints_get_clear_errors(central) -> None:
    station, token = central.enroll()
    missing = central.http.post(
        "/api/v1/sync/push", json={"station_time": "2026-01-01T00:00:00", "events": []}
    )
    assert missing.status_code == 401 and "bearer token" in missing.json()["message"]
    wrong = push(central, "lst_nope")
    assert wrong.status_code == 401 and "enrol" in wrong.json()["message"]
    assert central.http.get("/api/v1/admin/stations", headers=auth(token)).status_code == 403
    assert push(central, central.admin_token).status_code == 403
    central.http.post(f"/api/v1/admin/stations/{station}/revoke", headers=central.admin())
    revoked = push(central, token, event(1))
    assert revoked.status_code == 401 and "revoked" in revoked.json()["message"]
    assert stock(central) == 50


def test_enrolment_codes_work_once(central) -> None:
    code = central.add_station()
    assert central.http.post("/api/v1/enroll", json={"code": code}).status_code == 200
    again = central.http.post("/api/v1/enroll", json={"code": code})
    assert again.status_code == 401 and "already used" in again.json()["message"]


def test_oversized_bodies_malformed_json_and_bad_fields_are_refused_without_storing_anything(
    db_url, tmp_path
) -> None:
    central = Central(db_url, max_body_bytes=20_000)
    try:
        central.import_plant(tmp_path)
        _, token = central.enroll()
        big = push(central, token, *[event(i + 1) for i in range(200)])
        assert big.status_code == 413 and big.json()["error"] == "TOO_LARGE"
        broken = central.http.post(
            "/api/v1/sync/push",
            content=b'{"station_time": "2026-',
            headers={**auth(token), "content-type": "application/json"},
        )
        assert broken.status_code == 422 and broken.json()["error"] == "INVALID_REQUEST"
        bad = push(central, token, {**event(1), "seq": 0})
        assert bad.status_code == 422 and "seq" in bad.json()["message"]
        too_many = push(central, token, *[event(i + 1) for i in range(1001)])
        assert too_many.status_code in (413, 422)
        with central.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(received_events)).scalar() == 0
    finally:
        central.close()


def test_health_and_openapi(central) -> None:
    assert central.http.get("/health").json()["status"] == "ok"
    assert "/api/v1/sync/push" in central.http.get("/openapi.json").json()["paths"]
    assert central.http.get("/docs").status_code == 200


def test_pushed_events_are_chained_into_the_audit_log_inline_or_after_the_commit(db_url, tmp_path) -> None:
    from lotscan.central.trace.audit import verify
    from lotscan.central.trace.tables import audit_log

    for inline in (True, False):
        central = Central(db_url, audit_inline=inline)
        try:
            if inline:
                central.import_plant(tmp_path)
            _, token = central.enroll()
            assert push(central, token, event(1), event(2)).status_code == 200
            with central.engine.connect() as conn:
                chained = conn.execute(
                    select(func.count()).select_from(audit_log).where(audit_log.c.kind == "event")
                ).scalar()
                stored = conn.execute(select(func.count()).select_from(received_events)).scalar()
                assert chained == stored == (2 if inline else 4)
                assert verify(conn).ok
        finally:
            central.close()


def test_deferred_chaining_that_a_crash_skipped_is_sealed_when_central_starts(
    db_url, tmp_path, monkeypatch
) -> None:
    from fastapi.testclient import TestClient

    from lotscan.central import app as central_app
    from lotscan.central.chaining import Chainer
    from lotscan.central.trace.audit import verify
    from lotscan.central.trace.tables import audit_log

    central = Central(db_url, audit_inline=False)
    try:
        central.import_plant(tmp_path)
        _, token = central.enroll()
        chained_before = _count(central, audit_log)
        monkeypatch.setattr(Chainer, "chain", lambda self, stored: None)  # died after the commit
        assert push(central, token, event(1), event(2)).status_code == 200
        assert _count(central, audit_log) == chained_before
        monkeypatch.undo()
        restarted = central_app.create_app(engine=central.engine, audit_inline=False)
        with TestClient(restarted):  # start-up runs the lifespan, which seals
            for _ in range(100):
                if _count(central, audit_log) == _count(central, received_events):
                    break
                import time

                time.sleep(0.05)
        assert _count(central, audit_log) == _count(central, received_events) == chained_before + 2
        with central.engine.connect() as conn:
            assert verify(conn).ok
    finally:
        central.close()


def _count(central: Central, table) -> int:
    """Rows of `table`; of the audit chain, the event records only."""
    from lotscan.central.trace.tables import audit_log

    query = select(func.count()).select_from(table)
    if table is audit_log:
        query = query.where(audit_log.c.kind == "event")
    with central.engine.connect() as conn:
        return conn.execute(query).scalar()


def test_the_change_log_records_each_stock_row_a_push_changed_as_it_stands_after_the_push(central) -> None:
    """The stock rows a push locked up front go into the change log from the batch's own state
    (not read back): what a station pulls must equal the row as central holds it, after two
    changes to one row in the batch, beside a row the batch created, and when a poison event
    made the batch go event by event."""
    from lotscan.central.changelog import read_page
    from lotscan.store.rows import read_rows

    _, token = central.enroll()
    receipt = event(3, "stock.received", item="FLOUR", lot="F-NEW", location="A1", qty=7)
    batches = [
        [event(1, qty=2), event(2, qty=3.25), receipt],
        [event(4, qty=0.1), event(5, location="NOWHERE"), event(6, qty=0.2)],
    ]
    for batch in batches:
        with central.engine.connect() as conn:
            after = int(conn.execute(select(func.max(received_events.c.server_seq))).scalar() or 0)
            cursor = int(conn.exec_driver_sql("SELECT value FROM change_counter").scalar() or 0)
        assert push(central, token, *batch).status_code == 200
        with central.engine.connect() as conn:
            logged = {
                tuple(key): data
                for _, key, data, _ in read_page(conn, cursor, "P1", 1000)
                if key[0] == "stock"
            }
            assert int(conn.execute(select(func.max(received_events.c.server_seq))).scalar()) > after
            current = {key: data for key, data, _ in read_rows(conn, list(logged))}
        assert ("stock", "FLOUR", "F-EARLY", "A1") in logged
        assert logged == current
    assert stock(central) == pytest.approx(50 - 2 - 3.25 - 0.1 - 0.2)
    assert state_of(central.engine)["stock"][("FLOUR", "F-NEW", "A1")] == 7
