"""Property: random event streams from several stations of two sites, forbidden events mixed in
(wrong site, wrong role, bad values, reused ids, releases of what another site held, recalls
lifted by a station, releases decided on a stale status, relabels that would move held or
recalled goods into a laxer lot): central's state equals a reference model that applies only the
allowed events, and every forbidden event comes back `rejected`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lotscan.store.schema import Item, Location, Lot, Stock
from tests.central.support import Central, auth, now_iso
from tests.central.test_authority import PLANT2

SITE_OF = {"A1": "P1", "A2": "P1", "B1": "P2", "B-DOCK": "P2"}
ROLES = {"100": "operator", "900": "supervisor", "901": "supervisor", "1001": None}
STATIONS = ("P1-a", "P1-b", "P2-a")
LOTS = 5  # codes per example: made by a receipt or by a relabel


@dataclass
class Model:
    """What central must hold after the allowed events: lot statuses, who set a hold, stock."""

    status: dict[str, str] = field(default_factory=dict)
    # who set each status since the lot was last released (None: central)
    holders: dict[str, list[str | None]] = field(default_factory=lambda: defaultdict(list))
    stock: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    ids: set[str] = field(default_factory=set)

    def allowed(self, site: str, op: dict[str, Any]) -> bool:
        role = ROLES.get(op["operator"])
        if role is None or op["id"] in self.ids or op.get("bad_value"):
            return False
        if any(SITE_OF[place] != site for place in op["places"]):
            return False
        if op["kind"] == "status":
            lot, target = op["lot"], op["to"]
            if role != "supervisor" or lot not in self.status:
                return False
            if self.status[lot] in ("recalled", "rejected"):
                return False  # changed only at central, not even "the safe way"
            if target in ("hold", "quarantine"):
                return True
            if target != "released":
                return False
            current = self.status.get(lot)
            if op.get("from") is not None and op["from"] != current:
                return False  # a release decided on a status central no longer has: STALE_STATUS
            if current == "released":
                return True
            return current in ("hold", "quarantine") and all(h == site for h in self.holders[lot])
        if op["kind"] == "relabel":
            return self.relabel_allowed(op["lot"], op["into"])
        # an unknown lot: central stores the event as failed, not applied
        return not (op["kind"] in ("consume", "move") and op["lot"] not in self.status)

    def state(self, lot: str) -> tuple[str, frozenset[str | None]]:
        return self.status[lot], frozenset(self.holders[lot])

    def relabel_allowed(self, lot: str, into: str) -> bool:
        """Goods keep their lot's status (W1): into a new lot, or a lot of the same status and
        holders; released goods into any lot but a recalled or rejected one."""
        if lot not in self.status:
            return False  # an unknown source fails when applied
        if into not in self.status:
            return True  # a new lot, which inherits the source's status and holders
        if self.status[into] in ("recalled", "rejected"):
            return False
        return self.status[lot] == "released" or self.state(lot) == self.state(into)

    def apply(self, site: str, op: dict[str, Any]) -> None:
        lot = op["lot"]
        if op["kind"] == "receive":
            self.status.setdefault(lot, "released")
            self.stock[(lot, op["places"][0])] += op["qty"]
        elif op["kind"] == "consume":
            self.stock[(lot, op["places"][0])] -= op["qty"]
        elif op["kind"] == "move":
            self.stock[(lot, op["places"][0])] -= op["qty"]
            self.stock[(lot, op["places"][1])] += op["qty"]
        elif op["kind"] == "relabel":
            into = op["into"]
            if into not in self.status:
                self.status[into], self.holders[into] = self.status[lot], list(self.holders[lot])
            self.stock[(lot, op["places"][0])] -= op["qty"]
            self.stock[(into, op["places"][0])] += op["qty"]
        elif op["kind"] == "status" and lot in self.status:
            if op["to"] == "released" or self.status[lot] == "released":
                self.holders[lot] = []
            if op["to"] != "released":
                self.holders[lot].append(site)
            self.status[lot] = op["to"]


places = st.sampled_from(sorted(SITE_OF))
good_qty = st.sampled_from([1.0, 2.5, 10.0])
operation = st.fixed_dictionaries(
    {
        "station": st.sampled_from(STATIONS),
        "kind": st.sampled_from(["receive", "consume", "move", "status", "status", "recall", "relabel"]),
        "lot": st.integers(0, LOTS - 1),
        "into": st.integers(0, LOTS - 1),
        "to": st.sampled_from(["hold", "quarantine", "released", "released", "recalled", "pwned"]),
        "operator": st.sampled_from(sorted(ROLES)),
        "where": st.lists(places, min_size=2, max_size=2),
        "qty": st.one_of(good_qty, good_qty, good_qty, st.sampled_from([0.0, -3.0, 1e12])),
        "reuse_id": st.booleans(),
        "bad_date": st.integers(0, 20),
        # the status a station saw when it changed it: as central holds it, or maybe stale
        "seen": st.sampled_from(["as-is", "as-is", None, "hold", "released", "quarantine"]),
    }
)


def to_event(
    op: dict[str, Any], seq: int, lot: str, event_id: str, seen: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The pushed event and the facts the model judges it by; `seen`: a status change's `from`."""
    kind, (here, there) = op["kind"], op["where"]
    bad = op["qty"] <= 0 or op["qty"] > 1e9 or op["bad_date"] == 0
    facts = {"kind": kind, "lot": lot, "operator": op["operator"], "id": event_id, "qty": op["qty"]}
    if kind == "relabel":
        into = lot.rsplit("-", 1)[0] + f"-{op['into']}"
        payload = {"item": "FLOUR", "lot": lot, "new_lot": into, "location": here, "qty": op["qty"]}
        facts.update(places=[here], into=into)
    elif kind == "receive" or kind == "consume":
        payload = {"item": "FLOUR", "lot": lot, "location": here, "qty": op["qty"]}
        facts["places"] = [here]
    elif kind == "move":
        payload = {"item": "FLOUR", "lot": lot, "from": here, "to": there, "qty": op["qty"]}
        facts["places"] = [here, there]
    else:
        payload = {"item": "FLOUR", "lot": lot, "to": op["to"], "reason": "property test"}
        facts.update(places=[], to=op["to"], **{"from": seen})
        if seen is not None:
            payload["from"] = seen
        bad = op["bad_date"] == 0 or op["to"] == "pwned"
    facts["bad_value"] = bad
    event_type = {
        "receive": "stock.received",
        "consume": "stock.consumed",
        "move": "stock.moved",
        "status": "lot.status_changed",
        "relabel": "lot.relabelled",
    }[kind]
    occurred = "1999-12-31T23:00:00+00:00" if op["bad_date"] == 0 else now_iso()
    event = {
        "id": event_id,
        "seq": seq,
        "operator": op["operator"],
        "occurred_at": occurred,
        "type": event_type,
        "payload": payload,
    }
    return event, facts


def central_state(central: Central, prefix: str) -> tuple[dict[str, str], dict[tuple[str, str], float]]:
    with central.engine.connect() as conn:
        lots = dict(
            conn.execute(
                select(Lot.code, Lot.status)
                .join(Item, Item.id == Lot.item_id)
                .where(Item.code == "FLOUR", Lot.code.like(f"{prefix}%"))
            ).all()
        )
        stock = {
            (lot, place): round(float(qty), 6)
            for lot, place, qty in conn.execute(
                select(Lot.code, Location.code, Stock.qty)
                .join(Lot, Lot.id == Stock.lot_id)
                .join(Location, Location.id == Stock.location_id)
                .where(Lot.code.like(f"{prefix}%"))
            )
            if abs(float(qty)) > 1e-9
        }
    return lots, stock


def _op(kind: str, lot: int, **facts: Any) -> dict[str, Any]:
    """One operation of a stream, valid unless `facts` say otherwise."""
    base = {"station": "P1-a", "kind": kind, "lot": lot, "into": 0, "to": "hold", "operator": "100"}
    base |= {"where": ["A1", "A2"], "qty": 2.5, "reuse_id": False, "bad_date": 1, "seen": "as-is"}
    return base | facts


# W1 as a stream: recalled goods relabelled into a released lot, held goods into a released lot
# and into a lot of the same hold (allowed), then a copy of the held goods released by the site.
LAUNDERING = [
    _op("receive", 0),
    _op("receive", 1),
    _op("receive", 2),
    _op("recall", 0),
    _op("relabel", 0, into=1),
    _op("status", 2, operator="900"),
    _op("relabel", 2, into=1),
    _op("relabel", 2, into=3),
    _op("relabel", 2, into=3),
    _op("status", 3, operator="901", station="P2-a", to="released"),
    _op("status", 3, operator="900", to="released"),
]


@pytest.mark.slow
@example(stream=LAUNDERING)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stream=st.lists(operation, min_size=5, max_size=25))
def test_central_applies_exactly_the_allowed_events(
    central: Central, tmp_path: Path, stream: list[dict]
) -> None:
    if not getattr(central, "_property_ready", False):
        central.import_rows(tmp_path, PLANT2)
        central._stations = {name: central.enroll(name[:2])[1] for name in STATIONS}  # type: ignore[attr-defined]
        central._seqs = defaultdict(int)  # type: ignore[attr-defined]
        central._property_ready = True  # type: ignore[attr-defined]
    tokens: dict[str, str] = central._stations  # type: ignore[attr-defined]
    seqs: defaultdict[str, int] = central._seqs  # type: ignore[attr-defined]
    prefix = f"PX{uuid.uuid4().hex[:6]}-"
    model = Model()
    used: list[str] = []
    for op in stream:
        lot = f"{prefix}{op['lot']}"
        if op["kind"] == "recall":
            answer = central.http.post(
                f"/api/v1/admin/lots/{lot}/status",
                json={"action": "recall", "reason": "property test", "item": "FLOUR"},
                headers=central.admin(),
            )
            assert answer.status_code in (200, 404), answer.text
            if lot in model.status:
                model.status[lot], model.holders[lot] = "recalled", [None]
            continue
        station = op["station"]
        event_id = used[-1] if op["reuse_id"] and used else str(uuid.uuid4())
        seqs[station] += 1
        seen = model.status.get(lot) if op["seen"] == "as-is" else op["seen"]
        event, facts = to_event(op, seqs[station], lot, event_id, seen)
        site = station[:2]
        allowed = model.allowed(site, facts)
        response = central.http.post(
            "/api/v1/sync/push",
            json={"station_time": now_iso(), "events": [event]},
            headers=auth(tokens[station]),
        )
        assert response.status_code == 200, response.text
        result = response.json()["results"][0]
        if allowed:
            assert result["outcome"] in ("applied", "flagged"), (facts, result)
            model.apply(site, facts)
        else:
            assert result["outcome"] in ("rejected", "failed"), (facts, result)
            if result["outcome"] == "failed":  # only an unknown lot may fail, never a forbidden event
                assert facts["lot"] not in model.status
                assert facts["kind"] in ("consume", "move", "status", "relabel")
        used.append(event_id)
        model.ids.add(event_id)  # stored whatever its outcome: the id is used
    lots, stock = central_state(central, prefix)
    assert lots == {lot: status for lot, status in model.status.items()}
    assert stock == {key: round(qty, 6) for key, qty in model.stock.items() if abs(qty) > 1e-9}
