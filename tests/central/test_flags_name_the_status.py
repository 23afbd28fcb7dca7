"""Tester's W2 (real HTTP, SQLite and PostgreSQL): central flagged a shipment, pick or
consumption of a recalled lot as LOT_ON_HOLD, and the push result's `code` was null for every
flagged event though its reason starts with a code. A flag now names the lot's status with the
code the station's own refusal of the same scan uses (LOT_RECALLED, LOT_QUARANTINED,
LOT_REJECTED, LOT_ON_HOLD), and the result carries the first reason's code, on the first answer
and on a resent push alike."""

from __future__ import annotations

import pytest

from tests.central.support import Central, auth
from tests.central.test_authority import admin_status, ev, outcome, push_raw


@pytest.mark.parametrize(
    ("action", "code", "said"),
    [
        ("recall", "LOT_RECALLED", "was recalled"),
        ("quarantine", "LOT_QUARANTINED", "was in quarantine"),
        ("reject", "LOT_REJECTED", "was rejected"),
        ("hold", "LOT_ON_HOLD", "was on hold"),
    ],
)
def test_a_flag_for_a_blocked_lot_names_its_status(
    central: Central, action: str, code: str, said: str
) -> None:
    assert admin_status(central, "F-LATE", action).status_code == 200
    _, token = central.enroll("P1")
    shipped = ev(1, "stock.shipped", {"item": "FLOUR", "lot": "F-LATE", "location": "A2", "qty": 1})
    result = outcome(central, token, shipped)
    assert (result["outcome"], result["code"]) == ("flagged", code), result
    assert result["reason"].startswith(f"{code}: lot F-LATE of FLOUR {said} at ")
    flagged = central.http.get("/api/v1/flagged", headers=auth(token)).json()
    assert [f["code"] for f in flagged] == [code]
    again = push_raw(central, token, [shipped]).json()["results"][0]  # a resent push: same answer
    assert (again["duplicate"], again["outcome"], again["code"]) == (True, "flagged", code)


def test_a_flagged_events_code_is_its_first_reason_and_an_applied_ones_none(central: Central) -> None:
    assert admin_status(central, "F-LATE", "recall").status_code == 200
    _, token = central.enroll("P1")
    results = push_raw(
        central,
        token,
        [
            ev(1, "stock.consumed", {"item": "FLOUR", "lot": "F-LATE", "location": "A1", "qty": 2}),
            ev(2, "stock.consumed", {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}),
        ],
    ).json()["results"]
    # recalled, and below zero at A1 (F-LATE is at A2): both in `reason`, the first one's code
    assert [(r["outcome"], r["code"]) for r in results] == [("flagged", "LOT_RECALLED"), ("applied", None)]
    assert "; NEGATIVE_STOCK: " in results[0]["reason"]
