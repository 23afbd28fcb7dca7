"""Central is the authority: each test is an attack from a station token (or a careless
integrator) over plain HTTP, and central must refuse it as `rejected` with a stable reason code,
or as 422 for a malformed request, never by applying it and never with a 5xx.

Issue 9's findings, each written as the attack that used to succeed.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lotscan.central.schema import received_events, reconciliation_items
from lotscan.domain.events.keys import event_keys
from lotscan.store.schema import Container, Item, Location, Lot, Stock
from tests.central.support import Central, auth, now_iso

PLANT2 = {
    "sites": [{"code": "P2", "name": "Plant 2"}],
    "locations": [{"code": "B1", "site": "P2"}, {"code": "B-DOCK", "site": "P2", "pickable": "no"}],
    "operators": [{"badge": "901", "name": "Pat Supervisor of P2", "role": "supervisor", "site": "*"}],
}


@pytest.fixture
def two_sites(central: Central, tmp_path: Path) -> Central:
    central.import_rows(tmp_path, PLANT2)
    return central


def ev(
    seq: int, type_: str, payload: dict[str, Any], *, operator: str | None = "100", **envelope: Any
) -> dict:
    return {
        "id": envelope.pop("id", None) or str(uuid.uuid4()),
        "seq": seq,
        "operator": operator,
        "occurred_at": envelope.pop("occurred_at", None) or now_iso(),
        "type": type_,
        "payload": payload,
        **envelope,
    }


def push_raw(central: Central, token: str, events: list[dict], station_time: str | None = None) -> Any:
    body = {"station_time": station_time or now_iso(), "events": events}
    return central.http.post("/api/v1/sync/push", json=body, headers=auth(token))


def outcome(central: Central, token: str, event: dict) -> dict[str, Any]:
    response = push_raw(central, token, [event])
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def lot_status(central: Central, lot: str, item: str = "FLOUR") -> str:
    with central.engine.connect() as conn:
        return str(
            conn.execute(
                select(Lot.status)
                .join(Item, Item.id == Lot.item_id)
                .where(Item.code == item, Lot.code == lot)
            ).scalar()
        )


def stock_rows(central: Central) -> list[tuple[Any, ...]]:
    with central.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(select(Stock.lot_id, Stock.location_id, Stock.qty).order_by(Stock.id))
        ]


def status_change(lot: str, to: str, reason: str = "checked", item: str = "FLOUR") -> dict[str, Any]:
    return {"item": item, "lot": lot, "to": to, "reason": reason}


def admin_status(central: Central, lot: str, action: str, reason: str = "recall 2026-11") -> Any:
    return central.http.post(
        f"/api/v1/admin/lots/{lot}/status",
        json={"action": action, "reason": reason, "item": "FLOUR"},
        headers=central.admin(),
    )


# --------------------------------------------------------------------------- recalls and roles


def test_a_station_of_another_site_cannot_release_a_recalled_lot(two_sites: Central) -> None:
    """Finding: PLANT2 pushed `to: released` for a lot the admin had just recalled, naming
    operator 1001 (not a supervisor): applied, released company-wide."""
    assert admin_status(two_sites, "F-LATE", "recall").status_code == 200
    _, token = two_sites.enroll("P2")
    as_operator = outcome(two_sites, token, ev(1, "lot.status_changed", status_change("F-LATE", "released")))
    as_supervisor = outcome(
        two_sites, token, ev(2, "lot.status_changed", status_change("F-LATE", "released"), operator="901")
    )
    assert (as_operator["outcome"], as_operator["code"]) == ("rejected", "NOT_AUTHORISED")
    assert (as_supervisor["outcome"], as_supervisor["code"]) == ("rejected", "RELEASE_NOT_ALLOWED")
    assert "only central lifts" in as_supervisor["reason"]
    assert lot_status(two_sites, "F-LATE") == "recalled"


def test_a_recall_is_lifted_only_at_central_by_an_admin_with_a_reason(two_sites: Central) -> None:
    assert admin_status(two_sites, "F-LATE", "recall").status_code == 200
    _, token = two_sites.enroll("P1")
    refused = outcome(
        two_sites, token, ev(1, "lot.status_changed", status_change("F-LATE", "released"), operator="900")
    )
    assert refused["code"] == "RELEASE_NOT_ALLOWED"
    without_reason = admin_status(two_sites, "F-LATE", "release", reason=" ")
    assert without_reason.status_code in (400, 422) and without_reason.json()["error"]
    assert lot_status(two_sites, "F-LATE") == "recalled"
    assert admin_status(two_sites, "F-LATE", "release", reason="supplier cleared the lot").status_code == 200
    assert lot_status(two_sites, "F-LATE") == "released"


def test_a_status_outside_the_vocabulary_is_refused(central: Central) -> None:
    """Finding: `to: "pwned"` was applied."""
    _, token = central.enroll("P1")
    result = outcome(
        central, token, ev(1, "lot.status_changed", status_change("F-LATE", "pwned"), operator="900")
    )
    assert (result["outcome"], result["code"]) == ("rejected", "BAD_PAYLOAD")
    assert lot_status(central, "F-LATE") == "released"


def test_a_station_may_hold_and_release_only_what_its_own_site_held(two_sites: Central) -> None:
    _, p1 = two_sites.enroll("P1")
    _, p2 = two_sites.enroll("P2")
    held = outcome(
        two_sites, p1, ev(1, "lot.status_changed", status_change("F-LATE", "hold"), operator="900")
    )
    assert held["outcome"] == "applied"
    foreign = outcome(
        two_sites, p2, ev(1, "lot.status_changed", status_change("F-LATE", "released"), operator="901")
    )
    assert (foreign["outcome"], foreign["code"]) == ("rejected", "RELEASE_NOT_ALLOWED")
    assert lot_status(two_sites, "F-LATE") == "hold"
    own = outcome(
        two_sites, p1, ev(2, "lot.status_changed", status_change("F-LATE", "released"), operator="900")
    )
    assert own["outcome"] == "applied"
    assert lot_status(two_sites, "F-LATE") == "released"


@pytest.mark.parametrize("decided", ["recall", "reject"])
def test_a_station_cannot_lift_a_recall_in_two_steps_through_hold_or_quarantine(
    two_sites: Central, decided: str
) -> None:
    """Tester's finding: with a PLANT2 token, `to: hold` over a recalled lot was applied as "the safe
    direction", and then `to: released` lifted it, since the hold was PLANT2's own. A recalled or
    rejected lot changes only at central (docs/sync.md)."""
    assert admin_status(two_sites, "F-LATE", decided).status_code == 200
    decided_status = lot_status(two_sites, "F-LATE")
    _, token = two_sites.enroll("P2")
    for seq, (first, then) in enumerate((("hold", "released"), ("quarantine", "released"))):
        step1 = outcome(
            two_sites,
            token,
            ev(2 * seq + 1, "lot.status_changed", status_change("F-LATE", first), operator="901"),
        )
        step2 = outcome(
            two_sites,
            token,
            ev(2 * seq + 2, "lot.status_changed", status_change("F-LATE", then), operator="901"),
        )
        assert (step1["outcome"], step1["code"]) == ("rejected", "STATUS_NOT_ALLOWED")
        assert f"only central changes a {decided_status} lot" in step1["reason"]
        assert step2["outcome"] == "rejected"
    assert lot_status(two_sites, "F-LATE") == decided_status


def test_a_hold_laid_over_central_or_another_sites_hold_does_not_make_it_the_stations(
    two_sites: Central,
) -> None:
    """Tester's finding: central held a lot; PLANT2 put it in quarantine (applied) and then released
    it (applied), since the newest status was its own. Every status since the lot was last released
    must be the station's site's for it to release the lot."""
    assert admin_status(two_sites, "F-LATE", "hold").status_code == 200
    _, p1 = two_sites.enroll("P1")
    _, p2 = two_sites.enroll("P2")
    layered = outcome(
        two_sites, p2, ev(1, "lot.status_changed", status_change("F-LATE", "quarantine"), operator="901")
    )
    assert layered["outcome"] == "applied"  # the safe direction stays open
    lift = outcome(
        two_sites, p2, ev(2, "lot.status_changed", status_change("F-LATE", "released"), operator="901")
    )
    assert (lift["outcome"], lift["code"]) == ("rejected", "RELEASE_NOT_ALLOWED")
    assert "by central" in lift["reason"]
    assert lot_status(two_sites, "F-LATE") == "quarantine"

    # A PLANT1 hold under PLANT2's quarantine: PLANT2 cannot lift PLANT1's part either.
    other = "F-EARLY"
    assert (
        outcome(two_sites, p1, ev(1, "lot.status_changed", status_change(other, "hold"), operator="900"))[
            "outcome"
        ]
        == "applied"
    )
    assert (
        outcome(
            two_sites, p2, ev(3, "lot.status_changed", status_change(other, "quarantine"), operator="901")
        )["outcome"]
        == "applied"
    )
    foreign = outcome(
        two_sites, p2, ev(4, "lot.status_changed", status_change(other, "released"), operator="901")
    )
    assert (foreign["outcome"], foreign["code"]) == ("rejected", "RELEASE_NOT_ALLOWED")
    assert "site P1" in foreign["reason"]
    assert lot_status(two_sites, other) == "quarantine"


def test_a_station_cannot_recall_or_reject(central: Central) -> None:
    _, token = central.enroll("P1")
    for seq, target in enumerate(("recalled", "rejected"), start=1):
        result = outcome(
            central, token, ev(seq, "lot.status_changed", status_change("F-LATE", target), operator="900")
        )
        assert (result["outcome"], result["code"]) == ("rejected", "STATUS_NOT_ALLOWED")
    assert lot_status(central, "F-LATE") == "released"


def test_unknown_operators_and_unapproved_overrides_are_refused(central: Central) -> None:
    _, token = central.enroll("P1")
    consume = {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}
    unknown = outcome(central, token, ev(1, "stock.consumed", consume, operator="1001"))
    nobody = outcome(central, token, ev(2, "stock.consumed", consume, operator=None))
    override = outcome(
        central, token, ev(3, "stock.consumed", {**consume, "override": "NOT_FEFO", "override_by": "100"})
    )
    approved = outcome(
        central, token, ev(4, "stock.consumed", {**consume, "override": "NOT_FEFO", "override_by": "900"})
    )
    assert [unknown["code"], nobody["code"], override["code"]] == [
        "UNKNOWN_OPERATOR",
        "UNKNOWN_OPERATOR",
        "OVERRIDE_NOT_APPROVED",
    ]
    assert approved["outcome"] == "applied"


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused_at_parse_and_a_new_station_still_enrols(
    central: Central, literal: str
) -> None:
    """Finding: `"qty": NaN` and 1e999 were stored; every pull then handed out qty null and a new
    station's enrolment failed with NOT NULL constraint failed: stock.qty."""
    _, token = central.enroll("P1")
    before = stock_rows(central)
    event = json.dumps(
        ev(1, "stock.received", {"item": "FLOUR", "lot": "NAN-1", "location": "DOCK", "qty": 1})
    )
    text = event.replace('"qty": 1', f'"qty": {literal}')
    body = f'{{"station_time": "{now_iso()}", "events": [{text}]}}'
    response = central.http.post(
        "/api/v1/sync/push", content=body, headers={**auth(token), "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert set(response.json()) >= {"error", "message"}
    assert stock_rows(central) == before
    snapshot = central.http.get("/api/v1/sync/snapshot", headers=auth(central.enroll("P1")[1]))
    assert snapshot.status_code == 200 and "NaN" not in snapshot.text


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"qty": 1e12}, "qty"),
        ({"qty": -5}, "qty"),
        ({"qty": 0}, "qty"),
        ({"qty": "5"}, "qty"),
        ({"expiry": "1999-12-31"}, "expiry"),
        ({"expiry": "2100-01-01"}, "expiry"),
        ({"lot": "L" * 65}, "lot"),
        ({"supplier": "S" * 101}, "supplier"),
        ({"sscc": "12345"}, "sscc"),
        ({"lot_status": "pwned"}, "lot_status"),
        ({"smuggled": 1}, "smuggled"),
    ],
)
def test_out_of_range_values_are_refused_with_the_field_named(
    central: Central, payload: dict, field: str
) -> None:
    _, token = central.enroll("P1")
    base = {"item": "FLOUR", "lot": "RANGE-1", "location": "DOCK", "qty": 3}
    result = outcome(central, token, ev(1, "stock.received", {**base, **payload}))
    assert (result["outcome"], result["code"]) == ("rejected", "BAD_PAYLOAD")
    assert field in result["reason"]
    with central.engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(Lot).where(Lot.code.like("RANGE%"))).scalar() == 0
        )
        assert conn.execute(select(func.count()).select_from(Lot).where(Lot.code.like("LLLL%"))).scalar() == 0


def test_an_extreme_event_date_is_refused_not_a_500(central: Central) -> None:
    """Finding: occurred_at 0001-01-01T00:00:00+14:00 gave a 500, and the station retried it forever."""
    _, token = central.enroll("P1")
    consume = {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}
    for seq, moment in enumerate(
        ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1970-01-01T00:00:00Z"), 1
    ):
        result = outcome(central, token, ev(seq, "stock.consumed", consume, occurred_at=moment))
        assert (result["outcome"], result["code"]) == ("rejected", "DATE_OUT_OF_RANGE")
    bad_clock = push_raw(central, token, [], station_time="0001-01-01T00:00:00+14:00")
    assert bad_clock.status_code == 422 and bad_clock.json()["error"] == "INVALID_REQUEST"


def test_unknown_event_types_are_refused(central: Central) -> None:
    _, token = central.enroll("P1")
    result = outcome(central, token, ev(1, "stock.teleported", {"item": "FLOUR", "lot": "F-EARLY"}))
    assert (result["outcome"], result["code"]) == ("rejected", "UNKNOWN_TYPE")


# --------------------------------------------------------------------------- identity and site


def test_an_event_id_stored_for_another_station_is_refused(central: Central) -> None:
    """Finding: central stored an event id another station had already used."""
    _, first = central.enroll("P1")
    _, second = central.enroll("P1")
    shared = str(uuid.uuid4())
    consume = {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}
    assert outcome(central, first, ev(1, "stock.consumed", consume, id=shared))["outcome"] == "applied"
    again = outcome(central, second, ev(1, "stock.consumed", consume, id=shared))
    assert (again["outcome"], again["code"]) == ("rejected", "ID_REUSED")
    with central.engine.connect() as conn:
        applied = conn.execute(
            select(func.count())
            .select_from(received_events)
            .where(received_events.c.id == shared, received_events.c.outcome.in_(("applied", "flagged")))
        ).scalar()
    assert applied == 1


def test_every_location_an_event_names_must_be_of_the_stations_site(two_sites: Central) -> None:
    _, p1 = two_sites.enroll("P1")
    split = {
        "item": "FLOUR",
        "lot": "F-LATE",
        "location": "A2",
        "outputs": [{"lot": "F-X", "qty": 1, "location": "B1"}],
    }
    moved = {"item": "FLOUR", "lot": "F-LATE", "qty": 1, "from": "A2", "to": "B1"}
    for seq, (kind, payload) in enumerate((("lot.split", split), ("stock.moved", moved)), start=1):
        result = outcome(two_sites, p1, ev(seq, kind, payload))
        assert (result["outcome"], result["code"]) == ("rejected", "SITE_MISMATCH"), kind


def test_refusals_are_listed_where_a_supervisor_sees_flagged_items(central: Central) -> None:
    _, token = central.enroll("P1")
    result = outcome(
        central, token, ev(1, "lot.status_changed", status_change("F-LATE", "recalled"), operator="900")
    )
    assert result["code"] == "STATUS_NOT_ALLOWED"
    flagged = central.http.get("/api/v1/flagged", headers=auth(token)).json()
    assert [(f["event_id"], f["code"]) for f in flagged] == [(result["id"], "STATUS_NOT_ALLOWED")]
    with central.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reconciliation_items)).scalar() == 1


def test_a_receipts_new_lot_flag_is_not_a_lot_key() -> None:
    """Finding: the receipt's `new_lot: true` was read as a lot code: change rows keyed
    ["lot", ITEM, "True"] (and EPCIS lot sets failing by hash seed)."""
    keys = event_keys(
        "stock.received", {"item": "FLOUR", "lot": "L1", "location": "DOCK", "qty": 1, "new_lot": True}, "e1"
    )
    assert ("lot", "FLOUR", "True") not in keys
    assert ("lot", "FLOUR", "L1") in keys


def test_no_5xx_for_malformed_pushes(central: Central) -> None:
    _, token = central.enroll("P1")
    bodies: list[Any] = [
        {"station_time": now_iso(), "events": [{"id": "x", "seq": 0}]},
        {"station_time": "yesterday", "events": []},
        {"station_time": now_iso(), "events": [ev(1, "stock.consumed", [])]},
        {"station_time": now_iso(), "events": [{**ev(1, "stock.consumed", {}), "seq": 2**70}]},
        [],
        "not json",
    ]
    for body in bodies:
        response = central.http.post("/api/v1/sync/push", json=body, headers=auth(token))
        assert 400 <= response.status_code < 500, (body, response.status_code, response.text)
        assert set(response.json()) >= {"error", "message"}
    pull = central.http.post("/api/v1/sync/pull", json={"after": 2**70}, headers=auth(token))
    assert 400 <= pull.status_code < 500, pull.text
    assert datetime.now(UTC)  # central still answers


def test_a_resent_push_keeps_the_reason_code_of_a_refusal(central: Central) -> None:
    """A station whose answer was lost sends the same batch again: the second answer must say
    the same as the first, code included (it was null with duplicate: true)."""
    _, token = central.enroll("P1")
    refused = ev(
        1, "stock.consumed", {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}, operator="1001"
    )
    first = outcome(central, token, refused)
    again = outcome(central, token, refused)
    assert (first["code"], first["duplicate"]) == ("UNKNOWN_OPERATOR", False)
    assert (again["outcome"], again["code"], again["duplicate"]) == ("rejected", "UNKNOWN_OPERATOR", True)
    assert again["reason"] == first["reason"]


# --------------------------------------------------------------------------- the envelope


RECEIPT = {"item": "FLOUR", "lot": "P1-NEW", "qty": 5, "location": "A1"}


@pytest.mark.parametrize(
    ("envelope", "names"),
    [
        ({"lot_code": "NOTTHELOT"}, "lot_code 'NOTTHELOT'"),
        ({"task_code": "PL-1"}, "task_code 'PL-1'"),
        ({"workflow": "pwned"}, "workflow 'pwned'"),
        ({"verdict": "REJECTED"}, "verdict 'REJECTED'"),
        ({"verdict": "pwned"}, "verdict 'pwned'"),
        ({"reasons": [{"x": 1}, 5, None]}, "is not a reason"),
    ],
)
def test_an_envelope_that_contradicts_its_payload_is_refused(
    central: Central, envelope: dict[str, Any], names: str
) -> None:
    """Tester's finding: a receipt pushed with `lot_code: NOTTHELOT` was applied, and then missing
    from `export fsma204 --tlc P2LOT14` and `audit export --lot`; `verdict: REJECTED`, `workflow:
    pwned` and reasons `[{"x": 1}, 5, null]` were stored as sent. The audit chain covers every
    column of a stored event (issue 9 Build 5), so every column must be what the event is."""
    _, token = central.enroll("P1")
    result = outcome(central, token, ev(1, "stock.received", RECEIPT, **envelope))
    assert (result["outcome"], result["code"]) == ("rejected", "BAD_ENVELOPE")
    assert names in result["reason"]
    with central.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Lot).where(Lot.code == "P1-NEW")).scalar() == 0


def test_an_envelope_without_lot_and_task_codes_gets_them_from_the_payload(central: Central) -> None:
    """What the station sends (lot_code and task_code equal to the payload's) is applied; an
    envelope that leaves them out is stored with the payload's, so lookups by lot still find it."""
    _, token = central.enroll("P1")
    station_like = ev(
        1,
        "stock.received",
        RECEIPT,
        lot_code="P1-NEW",
        workflow="receive",
        verdict="WARNING",
        reasons=[
            {"code": "SHORT_SHELF_LIFE", "message": "Lot P1-NEW has only 3 days left.", "level": "WARNING"}
        ],
    )
    bare = ev(2, "stock.consumed", {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1})
    assert outcome(central, token, station_like)["outcome"] == "applied"
    assert outcome(central, token, bare)["outcome"] == "applied"
    with central.engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(received_events.c.station_seq, received_events.c.lot_code).where(
                    received_events.c.outcome == "applied"
                )
            ).all()
        )
    assert stored == {1: "P1-NEW", 2: "F-EARLY"}


def test_another_sites_station_cannot_break_or_rebuild_a_pallet(two_sites: Central) -> None:
    """Tester #25: containers (pallets by SSCC) were not site-scoped; a station of P2 broke a
    pallet standing at P1, and central deleted it."""
    _, p1 = two_sites.enroll("P1")
    _, p2 = two_sites.enroll("P2")
    sscc = "003456789012345675"
    built = {"sscc": sscc, "location": "A2", "contents": [{"item": "FLOUR", "lot": "F-LATE", "qty": 1}]}
    assert outcome(two_sites, p1, ev(1, "pallet.built", built))["outcome"] == "applied"
    attacks = (
        ("pallet.broken", {"sscc": sscc}),
        ("pallet.built", {**built, "location": "B1"}),
    )
    for seq, (kind, payload) in enumerate(attacks, start=1):
        result = outcome(two_sites, p2, ev(seq, kind, payload, operator="901"))
        assert (result["outcome"], result["code"]) == ("rejected", "SITE_MISMATCH"), kind
        assert f"pallet {sscc} belongs to site P1" in result["reason"]
    with two_sites.engine.connect() as conn:
        assert conn.execute(select(Container.sscc, Location.code).join(Location)).all() == [(sscc, "A2")]
    broken = outcome(two_sites, p1, ev(2, "pallet.broken", {"sscc": sscc}))
    assert broken["outcome"] == "applied"


def test_a_recalled_lot_produced_from_or_received_into_is_flagged_for_the_recall(central: Central) -> None:
    """Tester #18: a recalled lot used as a production input, or received into, was applied at
    central without a flag. Both happened on the floor, so central applies them (the trace must
    show where the recalled lot went) and flags them where the supervisor and the recall
    coordinator see them (LOT_RECALLED), as it did for a consumption."""
    assert admin_status(central, "F-LATE", "recall").status_code == 200
    _, token = central.enroll("P1")
    produced = {
        "task": "WO-1",
        "item": "COOKIE",
        "lot": "C-NEW",
        "qty": 10,
        "location": "LINE",
        "inputs": [{"item": "FLOUR", "lot": "F-LATE", "qty": 5}],
    }
    received = {"item": "FLOUR", "lot": "F-LATE", "location": "DOCK", "qty": 3}
    for seq, (kind, payload, said) in enumerate(
        (
            ("lot.produced", produced, "used it as an input of lot C-NEW"),
            ("stock.received", received, "added stock to it"),
        ),
        start=1,
    ):
        result = outcome(central, token, ev(seq, kind, payload))
        assert result["outcome"] == "flagged", kind
        assert "LOT_RECALLED: lot F-LATE of FLOUR was recalled" in result["reason"]
        assert said in result["reason"]
    flagged = central.http.get("/api/v1/flagged", headers=auth(token)).json()
    # and the production on WO-1, into which nothing was consumed at central, NO_INPUTS
    assert sorted(f["code"] for f in flagged) == ["LOT_RECALLED", "LOT_RECALLED", "NO_INPUTS"]
    # A lot received new in the same batch as its consumption is read when it is consumed.
    batch = [
        ev(
            3,
            "stock.received",
            {"item": "FLOUR", "lot": "NEW-Q", "location": "DOCK", "qty": 2, "lot_status": "quarantine"},
        ),
        ev(4, "stock.consumed", {"item": "FLOUR", "lot": "NEW-Q", "location": "DOCK", "qty": 1}),
    ]
    results = push_raw(central, token, batch).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "flagged"]


def _operators_seen(central: Central, token: str) -> dict[str, Any]:
    """Badge -> PIN hash of every operator row a station token gets: snapshot, pull, rows by key."""
    seen: dict[str, Any] = {}
    lines = central.http.get("/api/v1/sync/snapshot", headers=auth(token)).text.splitlines()
    columns = json.loads(lines[0])["tables"]["operators"]
    for line in lines[1:]:
        part = json.loads(line)
        if part.get("table") == "operators":
            for row in part["rows"]:
                seen[row[columns.index("badge")]] = row[columns.index("pin_hash")]
    body = {"after": 0, "limit": 5000, "keys": [["operator", "901"], ["operator", "900"]]}
    pulled = central.http.post("/api/v1/sync/pull", json=body, headers=auth(token)).json()
    for change in [*pulled["changes"], *pulled["rows"]]:
        if change["key"][0] == "operator" and change["data"] is not None:
            seen[change["key"][1]] = change["data"]["pin_hash"]
    return seen


def test_a_station_token_gets_only_its_own_sites_and_roaming_operators_pin_hashes(
    central: Central, tmp_path: Path
) -> None:
    """Tester #24: any station token pulled every supervisor's PIN hash (a 4-digit PIN falls to
    an offline search in minutes). An operator with a site now goes, PIN hash included, only to
    that site's stations; events naming them from another site are refused."""
    plant2 = {**PLANT2, "operators": [{**PLANT2["operators"][0], "pin": "2468", "site": "P2"}]}
    central.import_rows(tmp_path, plant2)
    _, p1 = central.enroll("P1")
    _, p2 = central.enroll("P2")
    assert "901" not in _operators_seen(central, p1)
    assert "900" in _operators_seen(central, p1)  # no site: a supervisor of every site
    assert str(_operators_seen(central, p2)["901"]).startswith("scrypt$")
    forged = ev(1, "lot.status_changed", status_change("F-LATE", "hold"), operator="901")
    result = outcome(central, p1, forged)
    assert (result["outcome"], result["code"]) == ("rejected", "SITE_MISMATCH")
    assert "operator 901 works at site P2" in result["reason"]
    # Moved to P1: P2's stations get the row deleted, P1's get it.
    first = {"after": 0, "limit": 5000}
    cursor = central.http.post("/api/v1/sync/pull", json=first, headers=auth(p2)).json()["next_cursor"]
    central.import_rows(tmp_path, {"operators": [{**plant2["operators"][0], "site": "P1"}]})
    body = {"after": cursor, "limit": 500}
    changes = central.http.post("/api/v1/sync/pull", json=body, headers=auth(p2)).json()["changes"]
    assert [c["data"] for c in changes if c["key"] == ["operator", "901"]] == [None]
    assert "901" in _operators_seen(central, p1)
