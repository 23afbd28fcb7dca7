"""Tester's W1, each written as the station token's push that used to be applied (real HTTP,
SQLite and PostgreSQL): a split, merge or relabel moved recalled, held or quarantined goods into a
lot of a laxer status, lifting the status for them with no release. Goods keep their lot's status
when they change lot (central/lot_moves.py, domain/status.py): into a new lot, which inherits it,
or into a lot of the same status and holder; released goods may go into a held lot (the safe
direction); a recalled or rejected lot takes in nothing from a station."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lotscan.central.schema import reconciliation_items
from lotscan.store.schema import Item, Location, Lot, Stock
from tests.central.support import Central
from tests.central.test_authority import (
    PLANT2,
    admin_status,
    ev,
    lot_status,
    outcome,
    push_raw,
    status_change,
)


@pytest.fixture
def two_sites(central: Central, tmp_path: Path) -> Central:
    central.import_rows(tmp_path, PLANT2)
    return central


def stock_of(central: Central, lot: str) -> dict[str, float]:
    """Where FLOUR lot `lot` is, and how much."""
    with central.engine.connect() as conn:
        rows = conn.execute(
            select(Location.code, Stock.qty)
            .join(Lot, Lot.id == Stock.lot_id)
            .join(Item, Item.id == Lot.item_id)
            .join(Location, Location.id == Stock.location_id)
            .where(Item.code == "FLOUR", Lot.code == lot)
        )
        return {place: qty for place, qty in rows}


def held_by(central: Central, lot: str) -> str | None:
    with central.engine.connect() as conn:
        return conn.execute(select(Lot.held_by).where(Lot.code == lot)).scalar()


def relabel(lot: str, new_lot: str, location: str, qty: float | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"item": "FLOUR", "lot": lot, "new_lot": new_lot, "location": location}
    return payload if qty is None else {**payload, "qty": qty}


def split(lot: str, location: str, *outputs: tuple[str, float]) -> dict[str, Any]:
    parts = [{"lot": code, "qty": qty} for code, qty in outputs]
    return {"item": "FLOUR", "lot": lot, "location": location, "outputs": parts}


def merge(lot: str, location: str, *inputs: tuple[str, float]) -> dict[str, Any]:
    parts = [{"lot": code, "qty": qty} for code, qty in inputs]
    return {"item": "FLOUR", "lot": lot, "location": location, "inputs": parts}


def quarantined_by_both_sites(central: Central) -> str:
    """F-P2 (20 at P2's B1) received by P2's station and quarantined by P1's then by P2's: only
    central can release it. Returns P2's token, its next seq 3."""
    _, p1 = central.enroll("P1")
    _, p2 = central.enroll("P2")
    received = {"item": "FLOUR", "lot": "F-P2", "qty": 20, "location": "B1"}
    assert outcome(central, p2, ev(1, "stock.received", received))["outcome"] == "applied"
    for token, seq, badge in ((p1, 1, "900"), (p2, 2, "901")):
        laid = outcome(
            central, token, ev(seq, "lot.status_changed", status_change("F-P2", "quarantine"), operator=badge)
        )
        assert laid["outcome"] == "applied", laid
    return p2


def refused_as(result: dict[str, Any]) -> tuple[str, str | None]:
    return result["outcome"], result["code"]


def test_recalled_goods_are_not_relabelled_split_or_merged_into_a_released_lot(central: Central) -> None:
    """W1: F-RECALL (recalled at central, 9 at A2) went by relabel, split and merge into the
    released F-LATE (80 at A2), pushed by a plain operator's station: each applied, and F-LATE held
    the recalled units as released stock every station would pick and ship."""
    _, token = central.enroll("P1")
    before = stock_of(central, "F-RECALL"), stock_of(central, "F-LATE")
    attacks = [
        ev(1, "lot.relabelled", relabel("F-RECALL", "F-LATE", "A2", 4)),
        ev(2, "lot.split", split("F-RECALL", "A2", ("F-LATE", 3))),
        ev(3, "lot.merged", merge("F-LATE", "A2", ("F-RECALL", 2))),
        ev(4, "lot.relabelled", relabel("F-RECALL", "F-LATE", "A2")),  # all of it at A2
    ]
    results = push_raw(central, token, attacks).json()["results"]
    assert [refused_as(r) for r in results] == [("rejected", "STATUS_NOT_KEPT")] * 4, results
    assert results[0]["reason"] == (
        "STATUS_NOT_KEPT: lot.relabelled moves 4 of lot F-RECALL of FLOUR, which is recalled, into lot "
        "F-LATE, which is released: that would lift the recall for those goods. Goods keep their lot's "
        "status: move them into a new lot code (it stays recalled), or have the recall lifted first "
        "(only central lifts a recall, an admin with a reason)"
    )
    assert (stock_of(central, "F-RECALL"), stock_of(central, "F-LATE")) == before
    assert (lot_status(central, "F-RECALL"), lot_status(central, "F-LATE")) == ("recalled", "released")
    with central.engine.connect() as conn:  # each refusal is in front of a supervisor
        codes = conn.execute(select(reconciliation_items.c.code)).scalars().all()
    assert codes.count("STATUS_NOT_KEPT") == 4


def test_recalled_goods_relabelled_into_a_new_lot_stay_recalled(central: Central) -> None:
    """A new lot inherits the status of the goods it takes (what was right before W1's fix)."""
    _, token = central.enroll("P1")
    result = outcome(central, token, ev(1, "lot.relabelled", relabel("F-RECALL", "F-NEWCODE", "A2", 4)))
    assert result["outcome"] == "applied", result
    assert lot_status(central, "F-NEWCODE") == "recalled"
    assert stock_of(central, "F-NEWCODE") == {"A2": 4}
    # ... and the new lot's goods cannot be laundered from there either
    onward = outcome(central, token, ev(2, "lot.split", split("F-NEWCODE", "A2", ("F-LATE", 1))))
    assert refused_as(onward) == ("rejected", "STATUS_NOT_KEPT")


def test_goods_on_hold_move_only_into_a_lot_of_the_same_status_and_holder(two_sites: Central) -> None:
    """W1's addendum: quarantined goods a site may not release were relabelled into a released
    lot (applied: released stock). Held goods go into a new lot, or a lot held by the same
    holder; not into a released lot, nor into a lot whose holder is another (its release would
    be someone else's to give)."""
    central = two_sites
    _, p1 = central.enroll("P1")
    held = outcome(central, p1, ev(1, "lot.status_changed", status_change("F-EARLY", "hold"), operator="900"))
    assert held["outcome"] == "applied"
    into_released = outcome(central, p1, ev(2, "lot.relabelled", relabel("F-EARLY", "F-LATE", "A1", 5)))
    assert refused_as(into_released) == ("rejected", "STATUS_NOT_KEPT")
    assert (
        "F-EARLY of FLOUR, which is on hold (held by site P1), into lot F-LATE, which is released"
        in (into_released["reason"])
    )
    assert "or have the hold lifted first (a supervisor of site P1 releases it)" in into_released["reason"]
    # F-HOLD's hold was imported: central's to lift, not P1's
    into_centrals = outcome(central, p1, ev(3, "lot.split", split("F-EARLY", "A1", ("F-HOLD", 5))))
    assert refused_as(into_centrals) == ("rejected", "STATUS_NOT_KEPT")
    assert "into lot F-HOLD, which is on hold (held by central)" in into_centrals["reason"]
    new_lot = outcome(central, p1, ev(4, "lot.relabelled", relabel("F-EARLY", "F-EARLY-B", "A1", 5)))
    assert new_lot["outcome"] == "applied"
    assert (lot_status(central, "F-EARLY-B"), held_by(central, "F-EARLY-B")) == ("hold", "P1")
    same_holder = outcome(central, p1, ev(5, "lot.merged", merge("F-EARLY-B", "A1", ("F-EARLY", 5))))
    assert same_holder["outcome"] == "flagged", same_holder  # a held input: LOT_ON_HOLD, as before
    assert stock_of(central, "F-EARLY") == {"A1": 40}
    assert stock_of(central, "F-EARLY-B") == {"A1": 10}
    assert stock_of(central, "F-LATE") == {"A2": 80}


def test_a_quarantine_laid_by_two_sites_is_not_shed_by_a_relabel(two_sites: Central) -> None:
    """The addendum as the tester did it: F-LATE quarantined by P1 and P2 (P2 cannot release it),
    P2 relabelled its quarantined copy into a released lot of its own site."""
    central = two_sites
    p2 = quarantined_by_both_sites(central)
    assert held_by(central, "F-P2") == "P1,P2"
    copy = outcome(central, p2, ev(3, "lot.relabelled", relabel("F-P2", "F-P2-COPY", "B1", 6)))
    assert copy["outcome"] == "applied"
    assert (lot_status(central, "F-P2-COPY"), held_by(central, "F-P2-COPY")) == ("quarantine", "P1,P2")
    into_released = {"item": "FLOUR", "lot": "F-P2-OK", "qty": 1, "location": "B1"}
    assert outcome(central, p2, ev(4, "stock.received", into_released))["outcome"] == "applied"
    laundering = outcome(
        central, p2, ev(5, "lot.relabelled", relabel("F-P2-COPY", "F-P2-OK", "B1", 6), operator="901")
    )
    assert refused_as(laundering) == ("rejected", "STATUS_NOT_KEPT")
    assert "held by site P1 and site P2: only central can release it" in laundering["reason"]
    assert lot_status(central, "F-P2-OK") == "released"
    assert stock_of(central, "F-P2-OK") == {"B1": 1}


def test_released_goods_may_go_into_a_held_lot_but_not_into_a_recalled_one(central: Central) -> None:
    _, token = central.enroll("P1")
    into_hold = outcome(central, token, ev(1, "lot.split", split("F-EARLY", "A1", ("F-HOLD", 2))))
    assert into_hold["outcome"] == "applied", into_hold
    assert stock_of(central, "F-HOLD") == {"A1": 12}
    into_recall = outcome(central, token, ev(2, "lot.relabelled", relabel("F-EARLY", "F-RECALL", "A1", 2)))
    assert refused_as(into_recall) == ("rejected", "STATUS_NOT_ALLOWED")
    said = "into lot F-RECALL, which is recalled: only central changes a recalled lot"
    assert said in into_recall["reason"]
    assert stock_of(central, "F-RECALL") == {"A2": 9}


def test_a_merge_of_lots_in_different_states_into_a_new_lot_is_refused(central: Central) -> None:
    """A new lot made by a merge takes the state of one input (the earliest expiry's): recalled
    F-RECALL merged with released F-EARLY (earlier expiry) into a new lot made it released."""
    _, token = central.enroll("P1")
    mixed = outcome(
        central, token, ev(1, "lot.merged", merge("F-MIX", "A2", ("F-RECALL", 3), ("F-EARLY", 3)))
    )
    assert refused_as(mixed) == ("rejected", "STATUS_NOT_KEPT")
    assert "in different states (F-RECALL recalled, F-EARLY released)" in mixed["reason"]
    assert stock_of(central, "F-MIX") == {}
    alike = outcome(central, token, ev(2, "lot.merged", merge("F-MIX", "A2", ("F-LATE", 3), ("F-EARLY", 3))))
    assert alike["outcome"] in ("applied", "flagged"), alike
    assert lot_status(central, "F-MIX") == "released"


def test_a_batch_is_judged_with_its_own_earlier_events(central: Central) -> None:
    """An offline station's push: a hold, then a relabel of the held lot into a released one; a
    relabel of recalled goods into a new lot, then of that lot into a released one. Each judged
    on the states the batch's earlier events left."""
    _, token = central.enroll("P1")
    results = push_raw(
        central,
        token,
        [
            ev(1, "lot.status_changed", status_change("F-EARLY", "hold"), operator="900"),
            ev(2, "lot.relabelled", relabel("F-EARLY", "F-LATE", "A1", 1)),
            ev(3, "lot.relabelled", relabel("F-RECALL", "F-STEP", "A2", 2)),
            ev(4, "lot.relabelled", relabel("F-STEP", "F-LATE", "A2", 2)),
            ev(5, "lot.status_changed", status_change("F-EARLY", "released"), operator="900"),
            ev(6, "lot.relabelled", relabel("F-EARLY", "F-LATE", "A1", 1)),
        ],
    ).json()["results"]
    assert [refused_as(r) for r in results] == [
        ("applied", None),
        ("rejected", "STATUS_NOT_KEPT"),
        ("applied", None),
        ("rejected", "STATUS_NOT_KEPT"),
        ("applied", None),
        ("applied", None),
    ], results
    assert stock_of(central, "F-LATE") == {"A2": 80, "A1": 1}
    assert lot_status(central, "F-STEP") == "recalled"


def test_an_admin_lifting_the_recall_lets_the_goods_go_where_released_goods_go(central: Central) -> None:
    _, token = central.enroll("P1")
    assert admin_status(central, "F-RECALL", "release", reason="supplier cleared it").status_code == 200
    result = outcome(central, token, ev(1, "lot.relabelled", relabel("F-RECALL", "F-LATE", "A2", 4)))
    assert result["outcome"] == "applied", result
    assert stock_of(central, "F-LATE") == {"A2": 84}


def test_a_lot_made_from_held_goods_is_released_by_whoever_may_release_the_goods(two_sites: Central) -> None:
    """W2's sentence and the release of a lot a relabel made: central judged the copy's release
    from events, found none that created it, and said "held by central" while it sends the
    stations held_by P1 (P1's supervisor saw their release ACCEPTED, central refused it), or
    "P1,P2" (W2: the sentence contradicted the data). Now from the holder the copy inherited."""
    central = two_sites
    _, p1 = central.enroll("P1")
    _, p2 = central.enroll("P2")
    held = outcome(central, p1, ev(1, "lot.status_changed", status_change("F-EARLY", "hold"), operator="900"))
    assert held["outcome"] == "applied"
    copy = outcome(central, p1, ev(2, "lot.relabelled", relabel("F-EARLY", "F-EARLY-B", "A1", 5)))
    assert copy["outcome"] == "applied"
    assert held_by(central, "F-EARLY-B") == "P1"
    foreign = outcome(
        central, p2, ev(1, "lot.status_changed", status_change("F-EARLY-B", "released"), operator="901")
    )
    assert refused_as(foreign) == ("rejected", "RELEASE_NOT_ALLOWED")
    assert "held by site P1: only P1's supervisor or central can release it" in foreign["reason"]
    own = outcome(
        central, p1, ev(3, "lot.status_changed", status_change("F-EARLY-B", "released"), operator="900")
    )
    assert own["outcome"] == "applied", own
    assert lot_status(central, "F-EARLY-B") == "released"


def test_a_lot_made_in_the_same_push_is_not_released_by_a_site_that_does_not_hold_it(
    two_sites: Central,
) -> None:
    """A copy made by a relabel earlier in the batch was not held by central yet, so its release
    passed as "nothing to lift": quarantined goods of P1 and P2, released by P2 in one push."""
    central = two_sites
    p2 = quarantined_by_both_sites(central)
    results = push_raw(
        central,
        p2,
        [
            ev(3, "lot.relabelled", relabel("F-P2", "F-P2-COPY", "B1", 6)),
            ev(4, "lot.status_changed", status_change("F-P2-COPY", "released"), operator="901"),
        ],
    ).json()["results"]
    assert [refused_as(r) for r in results] == [("applied", None), ("rejected", "RELEASE_NOT_ALLOWED")]
    assert "held by site P1 and site P2: only central can release it" in results[1]["reason"]
    assert lot_status(central, "F-P2-COPY") == "quarantine"


@pytest.mark.parametrize("first_naming", ["label.requested", "lot.status_changed"])
def test_another_site_naming_a_made_lot_first_does_not_make_its_hold_theirs(
    two_sites: Central, first_naming: str
) -> None:
    """The attack with P2's station token: goods held by central (an admin's hold) split off at
    P1 into F-EARLY-S, which inherits the hold. Central judged a lot's release by the site of the
    first stored event naming its code, and a split's event names the source lot: P2 pushed a
    label request for F-EARLY-S (or a hold of its own, the safe direction), became its "creator",
    then released it, applied: central's hold lifted for those goods by another site. Now the
    lot's holder is the one it inherited (central), with P2's own hold laid over it."""
    central = two_sites
    _, p1 = central.enroll("P1")
    _, p2 = central.enroll("P2")
    assert admin_status(central, "F-EARLY", "hold", reason="lab").status_code == 200
    made = outcome(central, p1, ev(1, "lot.split", split("F-EARLY", "A1", ("F-EARLY-S", 5))))
    assert made["outcome"] == "applied", made
    assert (lot_status(central, "F-EARLY-S"), held_by(central, "F-EARLY-S")) == ("hold", "central")
    if first_naming == "label.requested":
        naming = {"item": "FLOUR", "lot": "F-EARLY-S", "why": "reprint"}
        first = outcome(central, p2, ev(1, first_naming, naming))
    else:
        first = outcome(central, p2, ev(1, first_naming, status_change("F-EARLY-S", "hold"), operator="901"))
    assert first["outcome"] == "applied", first
    released = outcome(
        central, p2, ev(2, "lot.status_changed", status_change("F-EARLY-S", "released"), operator="901")
    )
    assert refused_as(released) == ("rejected", "RELEASE_NOT_ALLOWED"), released
    assert "held by central: only central can release it" in released["reason"]
    assert lot_status(central, "F-EARLY-S") == "hold"
    by_p1 = outcome(
        central, p1, ev(2, "lot.status_changed", status_change("F-EARLY-S", "released"), operator="900")
    )
    assert refused_as(by_p1) == ("rejected", "RELEASE_NOT_ALLOWED"), by_p1  # nor the site that split it
