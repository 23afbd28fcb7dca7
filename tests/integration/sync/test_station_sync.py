"""A station's cache and central in one process: outbox, read-your-writes, conflicts, reload,
urgent holds and the background worker. Real SQLite caches, real central database, real ASGI."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy import delete, insert, select, update

from lotscan.central import changelog
from lotscan.central.db import write_tx
from lotscan.central.schema import changes, received_events, stations
from lotscan.central.trace.tables import audit_heads, audit_log
from lotscan.domain.verdict import Level
from lotscan.services.context import Workflow
from lotscan.store.effects import apply_event
from lotscan.store.schema import Event, Item
from lotscan.sync import local
from lotscan.sync.worker import SyncStatus, SyncWorker, is_enrolled
from tests.central.support import Station, state_of
from tests.plant import FLOUR

EARLY = f"(01){FLOUR}(10)F-EARLY"


def consume(station: Station, qty: float, lot: str = "F-EARLY") -> None:
    verdict = station.scan(f"(01){FLOUR}(10){lot}", Workflow.CONSUME, task="WO-1", location="A1", qty=qty)
    assert verdict.level is not Level.REJECTED, verdict


def stock(station_or_engine, lot: str = "F-EARLY", location: str = "A1") -> float:
    engine = getattr(station_or_engine, "engine", station_or_engine)
    return state_of(engine)["stock"][("FLOUR", lot, location)]


def test_enrolment_snapshot_scan_and_sync_converge(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    assert state_of(station.engine) == state_of(central.engine)
    consume(station, 5)
    assert station.pending() == 1 and stock(station) == 45
    report = station.sync()
    assert report.pushed == 1 and report.outcomes == {"applied": 1}
    assert station.pending() == 0
    assert state_of(station.engine) == state_of(central.engine)
    with station.engine.connect() as conn:
        row = conn.execute(select(Event.sync_state, Event.outcome, Event.server_seq)).first()
    assert row.sync_state == "acked" and row.outcome == "applied" and row.server_seq


def test_read_your_writes_unsynced_events_show_over_server_state_without_double_counting(
    central, tmp_path
) -> None:
    mine, other = Station(central, tmp_path, "ST1"), Station(central, tmp_path, "ST2")
    consume(mine, 5)  # not pushed yet
    consume(other, 10)
    other.sync()
    mine.syncer().pull_changes()  # pull only: server says 40, plus my own unsynced 5
    assert stock(central.engine) == 40
    assert stock(mine) == 35 and mine.pending() == 1
    mine.syncer().pull_changes()
    assert stock(mine) == 35
    mine.sync()
    assert stock(mine) == 35 == stock(central.engine) and mine.pending() == 0
    other.sync()
    assert state_of(mine.engine) == state_of(other.engine) == state_of(central.engine)


def test_two_stations_overselling_a_lot_offline_both_count_flagged_and_converge(central, tmp_path) -> None:
    one, two = Station(central, tmp_path, "ST1"), Station(central, tmp_path, "ST2")
    consume(one, 40)
    consume(two, 30)
    one.sync()
    report = two.sync()
    assert report.outcomes == {"flagged": 1}
    one.sync()
    assert stock(central.engine) == -20
    assert state_of(one.engine) == state_of(two.engine) == state_of(central.engine)
    with two.engine.connect() as conn:
        reason = conn.execute(select(Event.outcome_reason)).scalar()
    assert reason.startswith("NEGATIVE_STOCK")
    assert [i["code"] for i in two.client().flagged()] == ["NEGATIVE_STOCK"]


def test_a_station_behind_the_kept_log_reloads_and_still_sends_its_unsent_events(central, tmp_path) -> None:
    station, other = Station(central, tmp_path, "ST1"), Station(central, tmp_path, "ST2")
    consume(station, 5)
    consume(other, 1)
    other.sync()
    with write_tx(central.engine) as conn:
        conn.execute(update(changes).values(created_at=changelog.utcnow() - timedelta(days=60)))
        changelog.prune(conn, timedelta(days=30))
    report = station.sync()
    assert report.reloaded and report.pushed == 1 and station.pending() == 0
    assert stock(station) == 44 == stock(central.engine)
    assert state_of(station.engine) == state_of(central.engine)


def test_central_that_lost_events_gets_them_again_from_the_outbox(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    consume(station, 1)
    consume(station, 2)
    with station.engine.begin() as conn:  # as if an ack arrived from a central later restored from backup
        conn.execute(update(Event).where(Event.seq == 1).values(sync_state="acked"))
    report = station.sync()
    assert report.resent_from == 1 and station.pending() == 0
    with central.engine.connect() as conn:
        assert list(
            conn.execute(select(received_events.c.station_seq).order_by("station_seq")).scalars()
        ) == [1, 2]
    assert stock(central.engine) == 47 == stock(station)


def test_an_event_central_sets_aside_stops_counting_on_the_station_too(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    payload = {"item": "LOCALONLY", "lot": "L-1", "location": "A1", "qty": 3}
    with station.engine.begin() as conn:  # the station knows an item central does not: poison there
        conn.execute(insert(Item).values(code="LOCALONLY"))
        apply_event(
            conn, "stock.received", payload, datetime(2026, 1, 1), "0193a5c2-0000-7000-8000-00000000ec01"
        )
        conn.execute(
            insert(Event).values(
                id="0193a5c2-0000-7000-8000-00000000ec01",
                seq=1,
                station_id="ST1",
                operator="100",
                occurred_at=datetime(2026, 1, 1),
                type="stock.received",
                payload=json.dumps(payload),
                verdict="ACCEPTED",
                reasons="[]",
            )
        )
    assert ("LOCALONLY", "L-1", "A1") in state_of(station.engine)["stock"]
    report = station.sync()
    assert report.outcomes == {"failed": 1}
    station.sync()
    assert state_of(station.engine) == state_of(central.engine)
    with station.engine.connect() as conn:
        assert conn.execute(select(Event.sync_state)).scalar() == "failed"


def test_worker_shows_offline_and_pending_then_online_and_delivers_an_urgent_hold(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    states: list[SyncStatus] = []

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("network is down", request=request)

    offline = SyncWorker(
        station.engine,
        station.settings,
        states.append,
        transport=httpx.MockTransport(unreachable),
        backoff_base_s=0.05,
    )
    consume(station, 1)
    offline.sync_now()
    assert states[-1].online is False and states[-1].pending == 1 and "unreachable" in states[-1].last_error
    consume(station, 1)  # scanning goes on while offline

    worker = SyncWorker(
        station.engine,
        station.settings,
        states.append,
        transport=central.transport,
        interval_s=30,
        long_poll_s=5,
    )
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not (worker.status.online and worker.status.pending == 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.status.online and worker.status.pending == 0
        assert worker.status.cache_age_s is not None and worker.status.cache_age_s < 10
        time.sleep(0.5)  # let the long-poll settle on the current cursor
        started = time.monotonic()
        answer = central.http.post(
            "/api/v1/admin/lots/F-LATE/status",
            json={"action": "hold", "reason": "lab"},
            headers=central.admin(),
        )
        assert answer.status_code == 200
        while time.monotonic() - started < 5:
            with station.engine.connect() as conn:
                if state_of(station.engine)["lots"][("FLOUR", "F-LATE")] == "hold":
                    break
            time.sleep(0.05)
        assert state_of(station.engine)["lots"][("FLOUR", "F-LATE")] == "hold"
        assert time.monotonic() - started < 5
        refused = station.scan(f"(01){FLOUR}(10)F-LATE", Workflow.CONSUME, task="WO-1", location="A2", qty=1)
        assert refused.level is Level.REJECTED and "LOT_ON_HOLD" in [r.code for r in refused.reasons]
    finally:
        worker.stop()
    with station.engine.connect() as conn:
        assert local.get_state(conn, local.LAST_PULL_AT)


def test_worker_built_from_settings_reports_like_an_enum_with_facts(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    consume(station, 1)
    seen: list[tuple[str, dict]] = []

    def on_state(state, **facts) -> None:  # the station UI's callback shape
        seen.append((str(getattr(state, "value", state)), facts))

    worker = SyncWorker(station.settings, on_state=on_state, transport=central.transport)
    assert is_enrolled(worker.engine)
    worker.sync_now()
    assert seen[-1][0] == "ONLINE"
    assert seen[-1][1]["pending"] == 0 and seen[-1][1]["cache_age_s"] is not None
    worker.engine.dispose()


def test_a_pull_after_central_was_restored_from_an_older_backup_terminates(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    consume(station, 1)
    station.sync()
    consume(station, 2)  # pending
    with write_tx(central.engine) as conn:  # central restored to before this station's first push
        for table in (audit_log, audit_heads, received_events):
            conn.execute(delete(table))
        conn.execute(update(stations).values(last_seq=0))
    station.syncer().pull_changes()
    with station.engine.connect() as conn:
        assert local.get_int(conn, local.STATION_LAST_SEQ) == 0
    report = station.sync()
    assert report.resent_from == 1 and station.pending() == 0


class ScanDuringDownload(httpx.BaseTransport):
    """Hands the snapshot over in pieces and scans at the station while it downloads."""

    def __init__(self, inner: httpx.BaseTransport, scan: Callable[[], object]):
        self.inner, self.scan, self.verdicts = inner, scan, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        if not request.url.path.endswith("/snapshot"):
            return httpx.Response(response.status_code, headers=response.headers, content=body)
        transport = self

        class Pieces(httpx.SyncByteStream):
            def __iter__(self):
                half = len(body) // 2
                yield body[:half]
                transport.verdicts.append(transport.scan())
                yield body[half:]

        return httpx.Response(response.status_code, headers=response.headers, stream=Pieces())


def test_scanning_goes_on_while_a_snapshot_downloads(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    transport = ScanDuringDownload(
        central.transport,
        lambda: station.scan(EARLY, Workflow.CONSUME, task="WO-1", location="A1", qty=2),
    )
    station.syncer(transport).reload()
    assert [v.level for v in transport.verdicts] == [Level.ACCEPTED]
    assert station.pending() == 1 and stock(station) == 48  # the scan survived the reload
    station.sync()
    assert state_of(station.engine) == state_of(central.engine)
    assert not list(tmp_path.glob("*.snapshot-*"))
