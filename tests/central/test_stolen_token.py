"""Issue 9's threat model (docs/sync.md, "a stolen station token"): a thief with a station's
token pushes forged events under the seqs the station will use next. Central keeps the first
event it got for each seq, so the real station's events come back SEQ_REUSED and are set aside:
its sync is blocked. The admin's recovery: revoke the station (the thief gets 401) and enrol
the station again; its refused events then reach central, each applied exactly once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from lotscan.central.db import write_tx
from lotscan.central.schema import received_events
from lotscan.central.tokens import revoke_station
from lotscan.services.context import Workflow
from lotscan.sync import local
from lotscan.sync.client import CentralClient
from tests.central.support import Central, Station, auth, push, state_of
from tests.central.test_authority import ev
from tests.plant import FLOUR


def _consume(station: Station, qty: float) -> None:
    verdict = station.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.CONSUME, task="WO-1", location="A1", qty=qty)
    assert verdict.recorded, verdict


def _flour_at_a1(central: Central) -> float:
    return state_of(central.engine)["stock"][("FLOUR", "F-EARLY", "A1")]


def test_a_thief_reusing_seqs_blocks_a_station_until_revoke_and_re_enrolment(
    central: Central, tmp_path: Path
) -> None:
    station = Station(central, tmp_path, "ST-VICTIM")
    _consume(station, 1)
    station.sync()  # seq 1 applied
    start = _flour_at_a1(central)

    forged = [
        ev(seq, "stock.consumed", {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 0.25})
        for seq in (2, 3)
    ]
    assert push(central, station.token, *forged).status_code == 200  # the thief, first
    _consume(station, 2)
    _consume(station, 3)
    station.sync()
    with station.engine.connect() as conn:
        blocked = local.set_aside_events(conn)
    assert [(e.seq, e.code) for e in blocked] == [(3, "SEQ_REUSED"), (2, "SEQ_REUSED")]
    assert "revokes the station and enrols it again" in blocked[0].sentence
    assert _flour_at_a1(central) == start - 0.5  # the forged events, not the station's

    with write_tx(central.engine) as conn:  # lotscan central station revoke ST-VICTIM
        revoke_station(conn, "ST-VICTIM")
    thief = push(
        central,
        station.token,
        ev(4, "stock.consumed", {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}),
    )
    assert thief.status_code == 401

    code = central.add_station("P1", "ST-VICTIM-2")  # lotscan enroll --server URL --code CODE
    with CentralClient("http://central", transport=central.transport) as client:
        answer = client.enroll(code, "ST-VICTIM")
    station.token = answer.token
    with station.engine.begin() as conn:
        again = local.store_enrolment(
            conn,
            server="http://central",
            token=answer.token,
            station=answer.station,
            site="P1",
            ca_bundle=None,
        )
    assert again == 3  # everything the cache holds goes to the new enrolment
    station.sync()
    station.sync()

    assert _flour_at_a1(central) == start - 0.5 - 5  # seqs 2 and 3 applied, once
    with central.engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(received_events.c.station, func.count())
                .where(received_events.c.outcome.in_(("applied", "flagged")))
                .group_by(received_events.c.station)
            ).all()
        )
    assert stored == {"ST-VICTIM": 3, "ST-VICTIM-2": 2}  # the thief's two stay on the old name, for review
    assert (
        central.http.post("/api/v1/sync/pull", json={"after": 0}, headers=auth(station.token)).status_code
        == 200
    )
    with station.engine.connect() as conn:
        assert local.pending_count(conn) == 0
        still_refused = local.set_aside_events(conn)
    # seq 1 was applied under the old name: sent again, central refuses it as a reused id and
    # stock does not change twice; the station lists it with that reason.
    assert [(e.seq, e.code) for e in still_refused] == [(1, "ID_REUSED")]
    assert "ST-VICTIM, an earlier enrolment of this station: it was applied then" in still_refused[0].sentence
