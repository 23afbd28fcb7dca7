"""A station cursor ahead of central's change log (tester T3).

Central restored from a backup, or re-created, has a log that ends before a station's cursor.
Before: `/sync/pull` answered 200 with no changes and `next_cursor` echoing the station's number,
so the station heard "nothing changed" for good and never saw the next recall. Now central
answers 410 RELOAD_REQUIRED (as for a cursor older than its log), on the pull and the long-poll,
and the station reloads the snapshot by itself, keeping the events it has not sent yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import delete, update

from lotscan.central import changelog
from lotscan.central.db import write_tx
from lotscan.central.schema import change_counter, changes
from lotscan.services.context import Workflow
from lotscan.sync import local
from lotscan.sync.engine import Report
from lotscan.sync.worker import SyncStatus, SyncWorker
from tests.central.processes import Server, free_port
from tests.central.support import Central, Station, auth, state_of
from tests.plant import FLOUR


def _refused_to_reload(response: httpx.Response, after: int, head: int) -> None:
    assert response.status_code == 410, response.text
    body = response.json()
    assert body["error"] == "RELOAD_REQUIRED" and body["head"] == head
    assert f"cursor {after} is ahead of central's log ({head})" in body["message"]
    assert "reload the snapshot" in body["message"]


def test_a_cursor_ahead_of_the_log_is_refused(central: Central) -> None:
    """The attacker's (or a confused station's) form, on both routes and the rows-by-key path."""
    _, token = central.enroll()
    http = central.http
    first = http.post("/api/v1/sync/pull", json={"after": 0, "limit": 5000}, headers=auth(token))
    head = first.json()["next_cursor"]
    assert head > 0
    for after in (head + 1, 10**15):
        pulled = http.post("/api/v1/sync/pull", json={"after": after, "limit": 10}, headers=auth(token))
        _refused_to_reload(pulled, after, head)  # before: 200, no changes, next_cursor = after
        waited = http.get("/api/v1/sync/wait", params={"after": after, "timeout": 0}, headers=auth(token))
        _refused_to_reload(waited, after, head)
    keyed = {"after": head + 1, "keys": [["lot", "FLOUR", "F-EARLY"]]}
    _refused_to_reload(http.post("/api/v1/sync/pull", json=keyed, headers=auth(token)), head + 1, head)
    honest = http.post("/api/v1/sync/pull", json={"after": head, "limit": 10}, headers=auth(token))
    assert honest.status_code == 200 and honest.json()["changes"] == []
    spec = http.get("/openapi.json").json()["paths"]
    assert "410" in spec["/api/v1/sync/pull"]["post"]["responses"]
    assert "410" in spec["/api/v1/sync/wait"]["get"]["responses"]


def _restore_older_log(central: Central, back: int) -> int:
    """Central's change log as a backup taken `back` changes ago holds it: the newest changes
    gone and the counter rolled back. Returns the restored head."""
    with write_tx(central.engine) as conn:
        head = changelog.latest_seq(conn) - back
        conn.execute(delete(changes).where(changes.c.seq > head))
        conn.execute(update(change_counter).where(change_counter.c.id == 1).values(value=head))
    return head


def test_a_station_ahead_of_a_restored_central_reloads_and_keeps_its_unsent_scan(
    central: Central, tmp_path: Path
) -> None:
    station = Station(central, tmp_path, "ST1")
    with station.engine.connect() as conn:
        cursor = local.get_int(conn, local.CURSOR)
    head = _restore_older_log(central, back=10)
    assert head < cursor
    # Offline, the station records a consumption it has not sent yet.
    verdict = station.scan(f"(01){FLOUR}(10)F-LATE", Workflow.CONSUME, task="WO-1", location="A2", qty=2)
    assert verdict.recorded and station.pending() == 1
    # The restored central recalls a lot: its change gets a seq at or below the station's cursor.
    recall = central.http.post(
        "/api/v1/admin/lots/F-EARLY/status",
        json={"action": "recall", "reason": "supplier"},
        headers=central.admin(),
    )
    assert recall.status_code == 200, recall.text
    report = station.sync()
    assert report.reloaded
    assert state_of(station.engine)["lots"][("FLOUR", "F-EARLY")] == "recalled"  # before: still released
    assert station.pending() == 0  # the offline scan survived the reload and went out
    assert state_of(station.engine) == state_of(central.engine)
    with station.engine.connect() as conn:
        assert local.get_int(conn, local.CURSOR) <= changelog_head(central)


def changelog_head(central: Central) -> int:
    with central.engine.connect() as conn:
        return changelog.latest_seq(conn)


def test_the_long_poll_of_a_station_ahead_of_a_restored_central_reloads_and_keeps_its_unsent_scan(
    central: Central, tmp_path: Path
) -> None:
    """The station app's own path, over real HTTP to `lotscan central serve`: its sync round runs
    only every hour here, so only the long-poll's 410 RELOAD_REQUIRED can bring the recall in.
    The long-poll wakes the sync round, which reloads the snapshot and sends the offline scan."""
    server = Server(central.url, free_port(), tmp_path / "central.log")
    server.start()
    station = Station(central, tmp_path, "ST1")
    with station.engine.begin() as conn:
        local.set_state(conn, local.SERVER_URL, server.url)
    rounds: list[Report | None] = []  # each sync round's report (None: the round failed)

    def round_done(status: SyncStatus) -> None:
        rounds.append(worker.last_report if status.last_error is None else None)

    worker = SyncWorker(
        station.engine, station.settings, round_done, interval_s=3600, backoff_base_s=0.2, long_poll_s=1
    )
    try:
        worker.start()
        _until(lambda: worker.status.online, "the first sync round")
        before = len(rounds)
        with station.engine.connect() as conn:
            cursor = local.get_int(conn, local.CURSOR)
        assert _restore_older_log(central, back=10) < cursor
        label = f"(01){FLOUR}(10)F-LATE"
        verdict = station.scan(label, Workflow.CONSUME, task="WO-1", location="A2", qty=2)
        assert verdict.recorded and station.pending() == 1
        recall = httpx.post(
            f"{server.url}/api/v1/admin/lots/F-EARLY/status",
            json={"action": "recall", "reason": "supplier"},
            headers=central.admin(),
        )
        assert recall.status_code == 200, recall.text
        _until(lambda: state_of(station.engine)["lots"][("FLOUR", "F-EARLY")] == "recalled", "the recall")
        _until(lambda: station.pending() == 0, "the offline scan sent")
        # A round the long-poll woke (the next timed one is an hour away) reloaded.
        _until(lambda: any(r is not None and r.reloaded for r in rounds[before:]), "round that reloaded")
        _until(lambda: state_of(station.engine) == state_of(central.engine), "station equal to central")
    finally:
        worker.stop()
        server.stop()


def _until(condition: Callable[[], bool], what: str, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {seconds:.0f} s"
        time.sleep(0.1)
