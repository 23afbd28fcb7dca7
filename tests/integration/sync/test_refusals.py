"""A station and central's refusals: a refused event is set aside as failed (kept, visible,
listed with the flagged items), the queue goes on, nothing is retried forever, and the next pull
corrects the cache. Real SQLite caches, real central database, real ASGI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from sqlalchemy import insert, select

from lotscan.domain.ids import uuid7
from lotscan.domain.verdict import Level
from lotscan.services.context import Workflow
from lotscan.store.schema import Event
from lotscan.sync.local import set_aside_events
from tests.central.support import Station, record_a_release_central_refuses, state_of
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


def test_an_unsendable_events_refusal_names_the_field_in_one_sentence(central, tmp_path) -> None:
    """Tester U17: a pending consumption edited to "qty": Infinity was set aside (good), but the
    sentence the supervisor reads in F11 was pydantic's: '1 validation error for EventIn\npayload
    Value error, value.qty is inf ... For further information visit https://errors.pydantic.dev'."""
    station = Station(central, tmp_path, "ST1")
    with station.engine.begin() as conn:
        conn.execute(
            insert(Event).values(
                id=str(uuid7()),
                seq=1,
                station_id="ST1",
                operator="100",
                occurred_at=datetime.now(UTC).replace(tzinfo=None),
                type="stock.consumed",
                workflow="consume",
                payload='{"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": Infinity}',
                verdict="ACCEPTED",
                reasons="[]",
                sync_state="pending",
            )
        )
    assert station.sync().outcomes == {"rejected": 1}
    [(_, state, _, reason)] = events_of(station)
    assert state == "failed"
    assert reason == (
        "UNSENDABLE: the station could not send this event "
        "(payload.qty is inf: a quantity must be a finite number); it keeps it as failed"
    )
    with station.engine.connect() as conn:
        [listed] = set_aside_events(conn)
    # tester V8: F11 showed the raw JSON, cut mid-object, for a payload that breaks the rules
    shown = "item FLOUR, lot F-EARLY, qty inf, location A1 (this record breaks the event's rules)"
    assert listed.what == shown


def test_a_release_central_refuses_is_set_aside_flagged_and_the_cache_corrected(central, tmp_path) -> None:
    """The station held and released a lot while central quarantined it (the station had not
    heard of it yet): the hold is applied over central's quarantine, the release refused."""
    station = Station(central, tmp_path, "ST1")
    verdict = record_a_release_central_refuses(central, station)
    assert verdict.recorded, verdict
    assert state_of(station.engine)["lots"][("FLOUR", "F-LATE")] == "released"  # read-your-writes
    report = station.sync()
    assert report.outcomes == {"applied": 1, "rejected": 1}
    [_, (_, state, outcome, reason)] = events_of(station)
    assert (state, outcome) == ("failed", "rejected") and reason.startswith("RELEASE_NOT_ALLOWED")
    assert state_of(station.engine)["lots"][("FLOUR", "F-LATE")] == "hold"  # corrected by the pull
    flagged = station.client().flagged()
    assert [item["code"] for item in flagged] == ["RELEASE_NOT_ALLOWED"]


class RefusesOneEvent(httpx.BaseTransport):
    """Central's transport, except that any push carrying `event_id` with its payload is
    answered 422 (as a central of a stricter version would)."""

    def __init__(self, inner: httpx.BaseTransport, event_id: str):
        self.inner, self.event_id, self.pushes = inner, event_id, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/push"):
            self.pushes += 1
            body = json.loads(request.read())
            for event in body["events"]:
                if event["id"] == self.event_id and not event.get("unsendable"):
                    refusal = {"error": "INVALID_REQUEST", "message": "request is malformed at events.0.raw"}
                    return httpx.Response(422, json=refusal)
        return self.inner.handle_request(request)


def test_a_batch_refused_with_422_is_sent_one_by_one_and_only_the_bad_event_set_aside(
    central, tmp_path
) -> None:
    station = Station(central, tmp_path, "ST1")
    for qty in (1, 2, 3):
        verdict = station.scan(
            f"(01){FLOUR}(10)F-EARLY", Workflow.CONSUME, task="WO-1", location="A1", qty=qty
        )
        assert verdict.recorded
    with station.engine.connect() as conn:
        bad = conn.execute(select(Event.id).where(Event.seq == 2)).scalar_one()
    transport = RefusesOneEvent(central.transport, bad)
    report = station.sync(transport)
    assert report.outcomes == {"applied": 2, "rejected": 1}
    states = events_of(station)
    assert [(s, o) for _, s, o, _ in states] == [
        ("acked", "applied"),
        ("failed", "rejected"),
        ("acked", "applied"),
    ]
    assert "events.0.raw" in (states[1][3] or "")
    pushes = transport.pushes
    assert station.sync(transport).pushed == 0 and transport.pushes == pushes  # nothing retried
    assert (
        state_of(station.engine)["stock"][("FLOUR", "F-EARLY", "A1")]
        == 46
        == state_of(central.engine)["stock"][("FLOUR", "F-EARLY", "A1")]
    )
