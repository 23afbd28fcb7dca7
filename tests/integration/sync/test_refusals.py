"""A station and central's refusals: a refused event is set aside as failed (kept, visible,
listed with the flagged items), the queue goes on, nothing is retried forever, and the next pull
corrects the cache. Real SQLite caches, real central database, real ASGI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert, select

from lotscan.domain.ids import uuid7
from lotscan.domain.verdict import Level
from lotscan.services.context import Workflow
from lotscan.store.schema import Event
from tests.central.support import Station, state_of
from tests.plant import FLOUR


def events_of(station: Station) -> list[tuple[int, str, str | None, str | None]]:
    with station.engine.connect() as conn:
        return [
            (r.seq, r.sync_state, r.outcome, r.outcome_reason)
            for r in conn.execute(select(Event).order_by(Event.seq))
        ]


def test_an_event_central_refuses_as_malformed_is_set_aside_and_the_queue_goes_on(central, tmp_path) -> None:
    """Finding: a push central answered with a 4xx was retried forever, blocking every later event."""
    station = Station(central, tmp_path, "ST1")
    with station.engine.begin() as conn:  # an outbox row central's envelope limits refuse (raw > 4096)
        conn.execute(
            insert(Event).values(
                id=str(uuid7()),
                seq=1,
                station_id="ST1",
                operator="100",
                occurred_at=datetime.now(UTC).replace(tzinfo=None),
                type="stock.consumed",
                workflow="consume",
                raw="X" * 5000,
                payload=json.dumps({"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}),
                verdict="ACCEPTED",
                reasons="[]",
                sync_state="pending",
            )
        )
    later = station.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.CONSUME, task="WO-1", location="A1", qty=2)
    assert later.level is not Level.REJECTED
    report = station.sync()
    assert report.outcomes == {"rejected": 1, "applied": 1}
    (_, state1, outcome1, reason1), (_, state2, outcome2, _) = events_of(station)
    assert (state1, outcome1) == ("failed", "rejected") and "UNSENDABLE" in (reason1 or "")
    assert (state2, outcome2) == ("acked", "applied")
    assert station.pending() == 0
    assert station.sync().pushed == 0  # never sent again
    assert state_of(station.engine)["stock"][("FLOUR", "F-EARLY", "A1")] == 48  # only the applied one


def test_a_release_central_refuses_is_set_aside_flagged_and_the_cache_corrected(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    recalled = central.http.post(
        "/api/v1/admin/lots/F-LATE/status",
        json={"action": "quarantine", "reason": "lab", "item": "FLOUR"},
        headers=central.admin(),
    )
    assert recalled.status_code == 200
    station.sync()  # the station learns of central's quarantine
    verdict = station.scan(f"(01){FLOUR}(10)F-LATE", Workflow.RELEASE, operator="900", reason="looks fine")
    assert verdict.recorded, verdict
    assert state_of(station.engine)["lots"][("FLOUR", "F-LATE")] == "released"  # read-your-writes
    report = station.sync()
    assert report.outcomes == {"rejected": 1}
    [(_, state, outcome, reason)] = events_of(station)
    assert (state, outcome) == ("failed", "rejected") and reason.startswith("RELEASE_NOT_ALLOWED")
    assert state_of(station.engine)["lots"][("FLOUR", "F-LATE")] == "quarantine"  # corrected by the pull
    flagged = station.client().flagged()
    assert [item["code"] for item in flagged] == ["RELEASE_NOT_ALLOWED"]
