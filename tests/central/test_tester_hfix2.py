"""The independent tester's central-side findings (/work/coord/TESTER.md), each written as the
station token's push that used to succeed (real HTTP, SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.central.support import Central, auth
from tests.central.test_authority import PLANT2, ev, lot_status, outcome, push_raw, status_change


@pytest.fixture
def two_sites(central: Central, tmp_path: Path) -> Central:
    central.import_rows(tmp_path, PLANT2)
    return central


def test_a_hold_and_its_release_in_one_push_are_both_applied(central: Central) -> None:
    """Finding 7: a station's own hold and release synced together lost the release:
    RELEASE_NOT_ALLOWED "was put in hold by central" (the hold was not stored yet when the
    release was checked). Pushed in two requests the same release was applied."""
    _, token = central.enroll("P1")
    response = push_raw(
        central,
        token,
        [
            ev(1, "lot.status_changed", status_change("F-LATE", "hold", "check temp"), operator="900"),
            ev(2, "lot.status_changed", status_change("F-LATE", "released", "temp ok"), operator="900"),
        ],
    )
    assert response.status_code == 200, response.text
    assert [(r["outcome"], r["code"]) for r in response.json()["results"]] == [
        ("applied", None),
        ("applied", None),
    ]
    assert lot_status(central, "F-LATE") == "released"


def test_a_release_in_one_push_with_another_sites_hold_is_still_refused(two_sites: Central) -> None:
    """The batch's own hold counts as the station's site's, nobody else's."""
    _, p2 = two_sites.enroll("P2")
    _, p1 = two_sites.enroll("P1")
    held = outcome(
        two_sites, p2, ev(1, "lot.status_changed", status_change("F-LATE", "hold"), operator="901")
    )
    assert held["outcome"] == "applied"
    response = push_raw(
        two_sites,
        p1,
        [
            ev(1, "lot.status_changed", status_change("F-LATE", "hold"), operator="900"),
            ev(2, "lot.status_changed", status_change("F-LATE", "released"), operator="900"),
        ],
    )
    assert [r["code"] for r in response.json()["results"]] == [None, "RELEASE_NOT_ALLOWED"]
    assert lot_status(two_sites, "F-LATE") == "hold"


def _enrol_as(central: Central, site: str, station_id: str) -> tuple[str, str]:
    answer = central.http.post(
        "/api/v1/enroll", json={"code": central.add_station(site), "station_id": station_id}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["station"], answer.json()["token"]


def test_another_stations_event_id_in_upper_case_is_refused_as_reused(two_sites: Central) -> None:
    """Finding 8: the upper-cased id of another station's stored event was applied (central held
    one UUID for two stations); the refusal called a station of another site "an earlier
    enrolment of this station" (both had the same local name)."""
    p2_name, p2 = _enrol_as(two_sites, "P2", "ST-01")
    _, p1 = _enrol_as(two_sites, "P1", "ST-01")
    shared = str(uuid.uuid4())
    held = outcome(
        two_sites, p2, ev(1, "lot.status_changed", status_change("F-LATE", "hold"), operator="901", id=shared)
    )
    assert held["outcome"] == "applied"
    consume = {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}
    again = outcome(two_sites, p1, ev(1, "stock.consumed", consume, id=shared.upper()))
    assert (again["outcome"], again["code"]) == ("rejected", "ID_REUSED")
    assert "another station" in again["reason"] and "earlier enrolment" not in again["reason"]
    assert p2_name not in again["reason"]


@pytest.mark.parametrize(
    "bad_id", ["x", "01a224dd12e67a64a83b0a317bf690c7", "{01a224dd-12e6-7a64-a83b-0a317bf6}"]
)
def test_an_event_id_that_is_not_a_uuid_is_a_422_naming_the_id(central: Central, bad_id: str) -> None:
    _, token = central.enroll("P1")
    consume = {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}
    response = central.http.post(
        "/api/v1/sync/push",
        json={
            "station_time": ev(1, "x", {})["occurred_at"],
            "events": [ev(1, "stock.consumed", consume, id=bad_id)],
        },
        headers=auth(token),
    )
    assert response.status_code == 422, response.text
    assert "id" in response.text and "UUID" in response.text


def _receipt(**fields: object) -> dict[str, object]:
    return {"item": "FLOUR", "lot": "F-NEW", "qty": 5, "unit": "SACK", "location": "A1", **fields}


@pytest.mark.parametrize(
    ("fields", "code", "named"),
    [
        ({"lot": "L" * 21}, "BAD_PAYLOAD", "21 characters"),
        ({"lot": "A Bé"}, "BAD_PAYLOAD", "character set 82"),
        ({"lot_status": "recalled"}, "STATUS_NOT_ALLOWED", "recalled"),
        ({"gtin": "19521234001031"}, "BAD_PAYLOAD", "not the GTIN of item FLOUR"),
        ({"unit": "KG"}, "BAD_PAYLOAD", "not the unit of item FLOUR"),
    ],
    ids=["lot-21-chars", "lot-not-set-82", "created-recalled", "sugars-gtin", "wrong-unit"],
)
def test_a_receipt_central_could_not_label_or_export_is_refused(
    central: Central, fields: dict[str, object], code: str, named: str
) -> None:
    """Finding 17: a station token stored lot codes GS1 cannot carry (the company-wide EPCIS export
    then failed), created a recalled lot, and received flour under sugar's GTIN or in KG."""
    _, token = central.enroll("P1")
    result = outcome(central, token, ev(1, "stock.received", _receipt(**fields)))
    assert (result["outcome"], result["code"]) == ("rejected", code), result
    assert named in result["reason"]
    assert lot_status(central, str(fields.get("lot", "F-NEW"))) == "None"


def test_a_receipt_with_the_items_own_gtin_unit_and_a_gs1_lot_is_applied(central: Central) -> None:
    _, token = central.enroll("P1")
    fine = _receipt(gtin="19521234001017", lot="F/NEW-1_(a)", lot_status="quarantine")
    assert outcome(central, token, ev(1, "stock.received", fine))["outcome"] == "applied"
    assert lot_status(central, "F/NEW-1_(a)") == "quarantine"


def test_a_relabel_or_split_to_a_lot_code_gs1_cannot_carry_is_refused(central: Central) -> None:
    _, token = central.enroll("P1")
    relabel = {"item": "FLOUR", "lot": "F-EARLY", "new_lot": "X" * 30, "location": "A1"}
    split = {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "outputs": [{"lot": "a b", "qty": 1}]}
    assert outcome(central, token, ev(1, "lot.relabelled", relabel))["code"] == "BAD_PAYLOAD"
    assert outcome(central, token, ev(2, "lot.split", split))["code"] == "BAD_PAYLOAD"


def _consume(**fields: object) -> dict[str, object]:
    return {
        "item": "FLOUR",
        "lot": "F-EARLY",
        "qty": 1,
        "location": "A1",
        "task": "WO-1",
        "line_no": 1,
        **fields,
    }


@pytest.mark.parametrize(
    ("type_", "payload", "named"),
    [
        ("stock.consumed", _consume(line_no=2), "line 2 of task WO-1 is for SUGAR, not FLOUR"),
        ("stock.consumed", _consume(task="PL-1"), "task PL-1 is a pick list"),
        ("stock.consumed", _consume(line_no=99), "task WO-1 has no line 99"),
        ("stock.received", {**_consume(task="WO-1"), "lot": "F-NEW"}, "task WO-1 is a work order"),
        (
            "lot.produced",
            {"item": "FLOUR", "lot": "F-MADE", "qty": 1, "location": "LINE", "task": "WO-1"},
            "work order WO-1 makes COOKIE, not FLOUR",
        ),
    ],
    ids=[
        "flour-on-sugar-line",
        "consumed-on-pick-list",
        "no-such-line",
        "received-on-work-order",
        "not-output",
    ],
)
def test_an_event_that_does_not_fit_its_task_is_refused(
    central: Central, type_: str, payload: dict[str, object], named: str
) -> None:
    """Findings 22, 23: flour consumed on a sugar line bumped that line's qty_done; consumption
    on a pick list, a line that does not exist, a receipt on a work order and a "produced" lot
    of an item the work order does not make were all applied."""
    _, token = central.enroll("P1")
    result = outcome(central, token, ev(1, type_, payload))
    assert (result["outcome"], result["code"]) == ("rejected", "BAD_PAYLOAD"), result
    assert named in result["reason"]


def test_an_event_that_fits_its_task_is_applied(central: Central) -> None:
    _, token = central.enroll("P1")
    made = {"item": "COOKIE", "lot": "C-MADE", "qty": 1, "location": "LINE", "task": "WO-1"}
    assert outcome(central, token, ev(1, "stock.consumed", _consume()))["outcome"] == "applied"
    assert outcome(central, token, ev(2, "lot.produced", made))["outcome"] in ("applied", "flagged")


def test_a_lot_produced_from_itself_is_refused(central: Central) -> None:
    """Finding 22: a lot pushed as its own input made the trace show it as its own parent."""
    _, token = central.enroll("P1")
    made = {"item": "COOKIE", "lot": "C-1", "qty": 1, "location": "LINE", "task": "WO-1"}
    own = {**made, "inputs": [{"item": "COOKIE", "lot": "C-1"}]}
    result = outcome(central, token, ev(1, "lot.produced", own))
    assert (result["outcome"], result["code"]) == ("rejected", "BAD_PAYLOAD")
    assert "one of its own inputs" in result["reason"]


@pytest.mark.parametrize("dust", [1e-320, 1e-9])
def test_a_quantity_of_dust_is_refused(central: Central, dust: float) -> None:
    """Finding 9: `qty: 1e-320` was applied (0 was refused): stock rows of nothing."""
    _, token = central.enroll("P1")
    move = {"item": "FLOUR", "lot": "F-EARLY", "qty": dust, "from": "A1", "to": "A2"}
    result = outcome(central, token, ev(1, "stock.moved", move))
    assert (result["outcome"], result["code"]) == ("rejected", "BAD_PAYLOAD")
    assert "at least 1e-06" in result["reason"]
