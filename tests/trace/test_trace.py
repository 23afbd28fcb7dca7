"""Trace over a generated genealogy, checked against a brute-force walk of the same events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from lotscan.central.db import read_tx, write_tx
from lotscan.central.errors import NotFound
from lotscan.central.push import push
from lotscan.central.tokens import StationIdentity
from lotscan.central.trace.genealogy import Direction
from lotscan.central.trace.trace import resolve_roots, trace
from lotscan.protocol import EventIn, PushRequest
from lotscan.store.effects import apply_event
from tests.trace.conftest import Genealogy


def _trace(g: Genealogy, lot: str, direction: Direction, depth: int | None = None):
    with read_tx(g.engine) as conn:
        return trace(conn, resolve_roots(conn, [lot]), [direction], depth)


def test_forward_trace_matches_brute_force(genealogy: Genealogy) -> None:
    g = genealogy
    for root in g.generated.raw_lots:
        result = _trace(g, root[1], Direction.FORWARD)
        expected = g.model.walk([root], forward=True)
        assert {(x.item, x.lot): x.depth for x in result.lots} == expected, root
        expected_edges = sorted(
            (p, c, q) for p in expected for c, q in g.model.children.get(p, []) if c in expected
        )
        got_edges = sorted(
            ((e.parent_item, e.parent_lot), (e.child_item, e.child_lot), e.qty) for e in result.edges
        )
        assert got_edges == expected_edges, root
        expected_stock = {
            (i, lot, loc): round(q, 6)
            for (i, lot, loc), q in g.model.stock.items()
            if (i, lot) in expected and abs(q) > 1e-9
        }
        assert {(s.item, s.lot, s.location): round(s.qty, 6) for s in result.stock} == expected_stock
        expected_shipments = sorted(
            (lot, c, q, w) for lot in expected for c, q, w in g.model.shipments.get(lot, [])
        )
        got = sorted(((s.item, s.lot), s.partner, s.qty, s.at.isoformat()) for s in result.shipments)
        assert got == expected_shipments, root


def test_backward_trace_reaches_suppliers_and_receipts(genealogy: Genealogy) -> None:
    g = genealogy
    for root in g.generated.finished:
        result = _trace(g, root[1], Direction.BACKWARD)
        expected = g.model.walk([root], forward=False)
        assert {(x.item, x.lot): x.depth for x in result.lots} == expected, root
        receipts = sorted((lot, s, q, w) for lot in expected for s, q, w in g.model.receipts.get(lot, []))
        got = sorted(((r.item, r.lot), r.partner, r.qty, r.at.isoformat()) for r in result.receipts)
        assert got == receipts, root
        assert all(r.document and r.document.startswith("ASN-") for r in result.receipts)


def test_depth_limits_the_walk(genealogy: Genealogy) -> None:
    g = genealogy
    root = g.generated.raw_lots[0]
    for depth in (0, 1, 2):
        result = _trace(g, root[1], Direction.FORWARD, depth)
        assert {(x.item, x.lot): x.depth for x in result.lots} == g.model.walk([root], True, depth)
        assert all(e.child_lot in {x.lot for x in result.lots} for e in result.edges)


def test_unknown_quantities_are_reported_as_unknown(genealogy: Genealogy) -> None:
    g = genealogy
    unknown = [(p, c) for p, kids in g.model.children.items() for c, q in kids if q is None]
    assert unknown, "the generator leaves some input quantities unknown"
    parent, child = unknown[0]
    result = _trace(g, parent[1], Direction.FORWARD, 1)
    edge = next(e for e in result.edges if (e.child_item, e.child_lot) == child)
    assert edge.qty is None and edge.kind == "production"


def test_edge_kinds_name_split_merge_relabel(genealogy: Genealogy) -> None:
    g = genealogy
    kinds = set()
    for root in g.generated.raw_lots:
        kinds |= {e.kind for e in _trace(g, root[1], Direction.FORWARD).edges}
    assert {"production", "split", "merge", "relabel"} <= kinds


def test_a_pallet_sscc_traces_its_lots(genealogy: Genealogy) -> None:
    g = genealogy
    sscc, lots = next(iter(g.generated.pallets.items()))
    result = _trace(g, sscc, Direction.BACKWARD, 0)
    assert {(x.item, x.lot) for x in result.lots} == set(lots)


def test_unknown_lot_is_a_clear_error(genealogy: Genealogy) -> None:
    with read_tx(genealogy.engine) as conn, pytest.raises(NotFound, match="NOPE"):
        resolve_roots(conn, ["NOPE"])


def test_a_relabel_cycle_ends(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    item, lot = g.generated.raw_lots[0]
    location = next(loc for (i, code, loc), q in g.model.stock.items() if (i, code) == (item, lot) and q > 0)
    at = datetime(2026, 6, 1)
    with write_tx(g.engine) as conn:
        apply_event(
            conn,
            "lot.relabelled",
            {"item": item, "lot": lot, "new_lot": f"{lot}-X", "location": location},
            at,
            "cycle-1",
        )
        apply_event(
            conn,
            "lot.relabelled",
            {"item": item, "lot": f"{lot}-X", "new_lot": lot, "location": location},
            at,
            "cycle-2",
        )
    g.model.children[(item, lot)].append(((item, f"{lot}-X"), None))
    g.model.children[(item, f"{lot}-X")].append(((item, lot), None))
    result = _trace(g, lot, Direction.FORWARD)
    assert {(x.item, x.lot): x.depth for x in result.lots} == g.model.walk([(item, lot)], forward=True)
    # Applied straight to the tables, with no stored event to say what made them: kind "link".
    assert {e.kind for e in result.edges if e.event_id in ("cycle-1", "cycle-2")} == {"link"}


def test_a_broken_pallet_still_traces_to_what_it_carried(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    sscc, lots = next(iter(g.generated.pallets.items()))
    site = next(s for s, e in g.generated.events if e.type == "pallet.built" and e.payload["sscc"] == sscc)
    with write_tx(g.engine) as conn:
        name, last = conn.execute(
            text("SELECT name, last_seq FROM stations WHERE site = :s"), {"s": site}
        ).one()
        event = EventIn(
            id=str(uuid.uuid4()),
            seq=last + 1,
            occurred_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
            type="pallet.broken",
            operator="op-1",
            payload={"sscc": sscc},
        )
        push(conn, StationIdentity(name, site), PushRequest(station_time=datetime.now(UTC), events=[event]))
    with read_tx(g.engine) as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM containers WHERE sscc = :s"), {"s": sscc}).scalar() == 0
        )
    result = _trace(g, sscc, Direction.FORWARD, 0)
    assert {(x.item, x.lot) for x in result.lots} == set(lots)
    assert {p.sscc for p in result.pallets} == {sscc}
    assert all(p.broken_at == datetime(2026, 6, 1, 9, 0) for p in result.pallets)
