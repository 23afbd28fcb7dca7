"""Central scales out: two `lotscan central serve` processes on different ports against one
PostgreSQL, stations alternating between them round by round (as behind a round-robin load
balancer). Every event is stored exactly once (a batch whose answer was lost and that is sent
again to the other process included), a cursor paged alternately through both processes sees
every committed change once and in order, and a hold made through one process reaches a
station long-polling the other within seconds. The audit chains stay intact."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from lotscan.central import changelog
from lotscan.central.db import read_tx
from lotscan.central.schema import changes, received_events
from lotscan.central.trace.audit import verify
from lotscan.services.context import Workflow
from lotscan.sync.client import CentralClient
from lotscan.sync.engine import Syncer
from tests.central.processes import Server, free_port
from tests.central.support import Central, Station, auth, fresh_database, state_of
from tests.plant import FLOUR

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

STATIONS, ROUNDS, SCANS = 4, 5, 3


def _consume(station: Station) -> None:
    verdict = station.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.CONSUME, task="WO-1", location="A1", qty=0.5)
    assert verdict.level.name != "REJECTED", verdict


def _receipts(first_seq: int, count: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC).isoformat()
    return [
        {
            "id": str(uuid.uuid4()),
            "seq": seq,
            "operator": "100",
            "occurred_at": now,
            "type": "stock.received",
            "payload": {"item": "SUGAR", "lot": f"R-{uuid.uuid4().hex[:6]}", "location": "DOCK", "qty": 1},
        }
        for seq in range(first_seq, first_seq + count)
    ]


def test_two_central_processes_keep_exactly_once_gapless_cursors_and_the_urgent_path(tmp_path: Path) -> None:
    with fresh_database("postgres", tmp_path) as url:
        central = Central(url)  # migrates; enrolment and admin token through the same database
        central.import_plant(tmp_path)
        servers = [Server(url, free_port(), tmp_path / f"central-{i}.log") for i in range(2)]
        for server in servers:
            server.start()
        errors: list[BaseException] = []
        try:
            stations = [Station(central, tmp_path, f"ST{i}") for i in range(STATIONS)]
            retry_name, retry_token = central.enroll()
            with read_tx(central.engine) as conn:
                start_cursor = changelog.latest_seq(conn)
            done = threading.Event()

            def scan_and_sync(i: int) -> None:
                try:
                    for r in range(ROUNDS):
                        for _ in range(SCANS):
                            _consume(stations[i])
                        via = servers[(i + r) % 2].url  # the balancer's pick alternates
                        with CentralClient(via, stations[i].token) as client:
                            Syncer(stations[i].engine, client, batch=2, page=5).sync_once()
                except BaseException as exc:
                    errors.append(exc)

            answers: list[tuple[Any, Any]] = []

            def resend_through_the_other_process() -> None:
                try:
                    for b in range(ROUNDS):
                        body = {
                            "station_time": datetime.now(UTC).isoformat(),
                            "events": _receipts(b * 3 + 1, 3),
                        }
                        first = httpx.post(
                            f"{servers[b % 2].url}/api/v1/sync/push", json=body, headers=auth(retry_token)
                        )
                        again = httpx.post(
                            f"{servers[(b + 1) % 2].url}/api/v1/sync/push",
                            json=body,
                            headers=auth(retry_token),
                        )
                        answers.append((first.json(), again.json()))
                except BaseException as exc:
                    errors.append(exc)

            seen: list[int] = []

            def page_alternately() -> None:
                cursor, turn = start_cursor, 0
                try:
                    while True:
                        finished = done.is_set()
                        answer = httpx.post(
                            f"{servers[turn % 2].url}/api/v1/sync/pull",
                            json={"after": cursor, "limit": 7},
                            headers=auth(stations[0].token),
                        ).json()
                        turn += 1
                        seen.extend(c["seq"] for c in answer["changes"])
                        cursor = answer["next_cursor"]
                        if finished and not answer["has_more"]:
                            return
                except BaseException as exc:
                    errors.append(exc)

            workers = [threading.Thread(target=scan_and_sync, args=(i,)) for i in range(STATIONS)]
            workers.append(threading.Thread(target=resend_through_the_other_process))
            puller = threading.Thread(target=page_alternately)
            for thread in [*workers, puller]:
                thread.start()
            for thread in workers:
                thread.join(240)
            done.set()
            puller.join(120)
            assert not errors, errors

            # Exactly once: every scan stored once, every resent batch answered as the first time.
            with read_tx(central.engine) as conn:
                per_station = dict(
                    conn.execute(
                        select(received_events.c.station, func.count()).group_by(received_events.c.station)
                    ).all()
                )
                distinct_ids = conn.execute(select(func.count(func.distinct(received_events.c.id)))).scalar()
                committed = list(
                    conn.execute(
                        select(changes.c.seq)
                        .where(
                            changes.c.seq > start_cursor, (changes.c.site == "P1") | changes.c.site.is_(None)
                        )
                        .order_by(changes.c.seq)
                    ).scalars()
                )
            for station in stations:
                assert station.pending() == 0
                name = station.settings.station_id
                assert (
                    per_station[next(n for n in per_station if n.endswith(name) or n == name)]
                    == ROUNDS * SCANS
                )
            assert per_station[retry_name] == ROUNDS * 3
            assert distinct_ids == sum(per_station.values())
            for first, again in answers:
                assert [(r["id"], r["server_seq"], r["outcome"]) for r in first["results"]] == [
                    (r["id"], r["server_seq"], r["outcome"]) for r in again["results"]
                ]
            # Gapless: the cursor paged through both processes saw every committed change once, in order.
            assert seen == committed and len(committed) > STATIONS * ROUNDS
            # Every station, having pulled through both processes, holds central's state.
            for station in stations:
                with CentralClient(servers[0].url, station.token) as client:
                    Syncer(station.engine, client).sync_once()
                assert state_of(station.engine) == state_of(central.engine)

            # The urgent path: a station waits on one process, the admin holds a lot on the other.
            with CentralClient(servers[0].url, stations[1].token) as client:
                Syncer(stations[1].engine, client).sync_once()
            with read_tx(central.engine) as conn:
                latest = changelog.latest_seq(conn)
            woke: dict[str, Any] = {}

            def long_poll() -> None:
                answer = httpx.get(
                    f"{servers[0].url}/api/v1/sync/wait",
                    params={"after": latest, "timeout": 20},
                    headers=auth(stations[1].token),
                    timeout=30,
                )
                woke["answer"], woke["at"] = answer.json(), time.monotonic()

            waiter = threading.Thread(target=long_poll)
            waiter.start()
            time.sleep(1.0)  # the long-poll is parked on process 0
            held_at = time.monotonic()
            held = httpx.post(
                f"{servers[1].url}/api/v1/admin/lots/F-LATE/status",
                json={"action": "hold", "reason": "lab"},
                headers=central.admin(),
            )
            assert held.status_code == 200, held.text
            waiter.join(30)
            assert woke["answer"]["changed"] is True and woke["at"] - held_at < 5, woke
            with CentralClient(servers[0].url, stations[1].token) as client:
                Syncer(stations[1].engine, client).sync_once()
            assert state_of(stations[1].engine)["lots"][("FLOUR", "F-LATE")] == "hold"

            with read_tx(central.engine) as conn:
                checked = verify(conn)
            assert checked.ok, checked.findings[:5]
        finally:
            for server in servers:
                server.stop()
            central.close()
