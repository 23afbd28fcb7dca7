"""The status and holder a lot made by a split, merge or relabel must have while it has no
decision of its own: its source's when the event was applied (store/effects.py gives a new lot
its source's state; a merge into a new lot takes lots of one state, central/lot_moves.py, or, for
events stored before that rule, the state of the input with the earliest expiry). Without this,
`UPDATE lots SET status = 'released'` on a lot split from a recalled one verified intact.

The source's status at the event is read from the chains: its last recorded decision applied
before the event (a station's decision is ordered by its event's server_seq; central's own, which
has none, by its time against the event's receipt at central), else the status its first decision
after the event changed from, else the status it was made with (a receipt's or production's
`lot_status`, released for a lot imported released, or, for a lot itself made by a split, merge
or relabel, the same rule again). Its holder at the event is the one the decisions since its last
release before the event give (domain/status.py, the rule audit_lots applies to every decided
lot): nobody for a released source, and not known (not judged) when a status before those
decisions is not recorded. A lot code a receipt, production or count created before the event is
judged by that event (audit_lots), not here.

A few queries, whatever the number of lots: the made lots, the decisions of their sources, and
the events that created sources with no decision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, func, select, text, tuple_

from lotscan.central import lot_moves
from lotscan.central.schema import lot_status_history, received_events
from lotscan.central.trace.audited import COMPANY_CHAIN, EVENT, EVENT_SOURCE, STATUS
from lotscan.central.trace.tables import audit_log
from lotscan.domain.events import EventType, UnknownEventType, parse_payload
from lotscan.domain.status import LotStatus, held_by_of
from lotscan.protocol import APPLIED, FLAGGED
from lotscan.store.schema import Item, Lot

MOVES = (EventType.LOT_SPLIT.value, EventType.LOT_MERGED.value, EventType.LOT_RELABELLED.value)
CREATING = (EventType.STOCK_RECEIVED.value, EventType.LOT_PRODUCED.value, EventType.STOCK_COUNTED.value)
COUNTED = (APPLIED, FLAGGED)
STATUS_MISMATCH = "status_mismatch"  # audit verify's problems (audit_lots names them too)
HOLDER_MISMATCH = "holder_mismatch"

# Lots without any decision whose first genealogy link was made by a split, merge or relabel,
# unless a receipt, production or count of that code came first (it made the lot).
_MADE = text("""
SELECT l.id AS lot_id, i.code AS item, l.code AS lot, l.status, l.held_by, e.id AS event_id, e.server_seq,
       e.received_at, e.type, e.payload, e.site, a.site_seq
FROM (SELECT child_lot_id, min(id) AS first FROM lot_links GROUP BY child_lot_id) f
JOIN lot_links k ON k.id = f.first
JOIN lots l ON l.id = f.child_lot_id
JOIN items i ON i.id = l.item_id
JOIN received_events e ON e.id = k.event_id AND e.type IN (:split, :merged, :relabelled)
     AND e.outcome IN (:applied, :flagged)
LEFT JOIN audit_log a ON a.kind = :event AND a.ref = e.server_seq
WHERE NOT EXISTS (SELECT 1 FROM lot_status_history h WHERE h.item = i.code AND h.lot = l.code)
  AND NOT EXISTS (SELECT 1 FROM received_events c WHERE c.lot_code = l.code
                  AND c.type IN (:received, :produced, :counted) AND c.outcome IN (:applied, :flagged)
                  AND c.server_seq < e.server_seq)
""")


# Lots on hold or worse with no genealogy link, decision nor creating event, and a stored split,
# merge or relabel whose payload names their code (which it made is read from the payload): a link
# row deleted leaves the chained event that made the lot, and its status is judged from it (tester
# X4: it was named NO_DECISION, "no stored event that created it so", besides LINK_MISSING).
_MADE_UNLINKED = text("""
SELECT l.id AS lot_id, i.code AS item, l.code AS lot, l.status, l.held_by, e.id AS event_id, e.server_seq,
       e.received_at, e.type, e.payload, e.site, a.site_seq
FROM lots l JOIN items i ON i.id = l.item_id
JOIN received_events e ON e.type IN (:split, :merged, :relabelled) AND e.outcome IN (:applied, :flagged)
     AND e.payload LIKE '%' || l.code || '%'
LEFT JOIN audit_log a ON a.kind = :event AND a.ref = e.server_seq
WHERE l.status <> :released
  AND NOT EXISTS (SELECT 1 FROM lot_links k WHERE k.child_lot_id = l.id)
  AND NOT EXISTS (SELECT 1 FROM lot_status_history h WHERE h.item = i.code AND h.lot = l.code)
  AND NOT EXISTS (SELECT 1 FROM received_events c WHERE c.lot_code = l.code
                  AND c.type IN (:received, :produced, :counted) AND c.outcome IN (:applied, :flagged))
ORDER BY e.server_seq
""")


@dataclass(frozen=True)
class Made:
    """A lot a split, merge or relabel made, and that event."""

    lot_id: int
    item: str
    lot: str
    status: str
    held_by: str | None
    event_id: str
    event_type: str
    server_seq: int
    received_at: datetime
    sources: tuple[str, ...]  # the lot codes its goods came from, in the event's order
    chain: str | None
    site_seq: int | None


@dataclass(frozen=True)
class _Decision:
    id: int
    from_status: str | None
    to_status: str
    at: datetime
    event_seq: int | None  # a station's decision: its event's server_seq; None: central's own
    chain: str | None  # the chain recording it (None: not chained)


UNKNOWN = "?"  # a holder not known from the records: not judged


@dataclass(frozen=True)
class State:
    status: str
    held_by: str | None  # UNKNOWN: not known


@dataclass(frozen=True)
class MadeMismatch:
    made: Made
    expected: State
    problem: str  # STATUS_MISMATCH or HOLDER_MISMATCH


def made_mismatches(conn: Connection) -> list[MadeMismatch]:
    """Lots made by a split, merge or relabel, without a decision of their own, whose status
    (or, when it is known, holder) is not the one their source had when the event was applied."""
    made = _made(conn)
    if not made:
        return []
    judge = _Judge(conn, made)
    found = []
    for lot in made.values():
        expected = judge.made_as(lot)
        if expected is None:
            continue
        if expected.status != lot.status:
            found.append(MadeMismatch(lot, expected, STATUS_MISMATCH))
        elif expected.held_by != UNKNOWN and expected.held_by != lot.held_by:
            found.append(MadeMismatch(lot, expected, HOLDER_MISMATCH))
    return sorted(found, key=lambda m: m.made.lot_id)


def made_without_links(conn: Connection) -> set[int]:
    """The ids of lots a stored split, merge or relabel made whose genealogy links are all gone
    (LINK_MISSING names those): their status is the event's to explain, not a missing decision."""
    return {made.lot_id for made in _read_made(conn, _MADE_UNLINKED).values()}


def _made(conn: Connection) -> dict[tuple[str, str], Made]:
    unlinked = _read_made(conn, _MADE_UNLINKED)
    return {**unlinked, **_read_made(conn, _MADE)}


def _read_made(conn: Connection, query: Any) -> dict[tuple[str, str], Made]:
    """The made lots a query finds, each with the first of its rows (events in server order)
    whose payload moves goods of the lot's item into it."""
    params = {
        "split": MOVES[0],
        "merged": MOVES[1],
        "relabelled": MOVES[2],
        "received": CREATING[0],
        "produced": CREATING[1],
        "counted": CREATING[2],
        "applied": APPLIED,
        "flagged": FLAGGED,
        "event": EVENT,
        "released": LotStatus.RELEASED.value,
    }
    found: dict[tuple[str, str], Made] = {}
    for r in conn.execute(query, params):
        if (r.item, r.lot) in found:
            continue
        try:
            payload = parse_payload(r.type, _json(r.payload))
        except (ValidationError, UnknownEventType, ValueError):
            continue  # a payload that no longer reads: the chain check names what was altered
        if not isinstance(payload, lot_moves.LOT_MOVES) or payload.item != r.item:
            continue
        sources = tuple(source for source, target, _ in lot_moves.moves(payload) if target == r.lot)
        if not sources:
            continue
        found[(r.item, r.lot)] = Made(
            int(r.lot_id),
            r.item,
            r.lot,
            str(r.status),
            r.held_by,
            str(r.event_id),
            str(r.type),
            int(r.server_seq),
            _datetime(r.received_at),
            sources,
            r.site,
            None if r.site_seq is None else int(r.site_seq),
        )
    return found


class _Judge:
    """Reads what the sources' statuses need (decisions, creating events, expiries) for all the
    made lots at once, then answers per lot."""

    def __init__(self, conn: Connection, made: dict[tuple[str, str], Made]):
        self.made = made
        refs = {(m.item, source) for m in made.values() for source in m.sources}
        self.decisions = _decisions(conn, refs)
        plain = {ref for ref in refs if ref not in self.decisions and ref not in made}
        self.created = _created_statuses(conn, plain)
        self.expiry = _expiries(conn, {ref for m in made.values() if len(m.sources) > 1 for ref in _refs(m)})
        self._memo: dict[tuple[str, str], State | None] = {}

    def made_as(self, made: Made, seen: frozenset[tuple[str, str]] = frozenset()) -> State | None:
        """The state `made` got from its source(s); None: not known (not judged)."""
        key = (made.item, made.lot)
        if key in self._memo:
            return self._memo[key]
        if key in seen:
            return None  # a loop of lots made from each other: not judged
        states = [self.state_at((made.item, s), made, seen | {key}) for s in made.sources]
        result: State | None
        if any(state is None for state in states):
            result = None
        elif len(set(states)) == 1:
            result = states[0]
        else:  # lots of different states merged into a new one (before lot_moves refused it)
            earliest = min(range(len(states)), key=lambda n: self.expiry.get(_refs(made)[n]) or date.max)
            result = states[earliest]
        self._memo[key] = result
        return result

    def state_at(self, ref: tuple[str, str], event: Made, seen: frozenset[tuple[str, str]]) -> State | None:
        decisions = self.decisions.get(ref, [])
        before = [d for d in decisions if _before(d, event)]
        if before:
            return State(before[-1].to_status, _holder(before))
        if decisions:
            status = decisions[0].from_status  # None: the status before it was not recorded
            if status is None:
                return None
            return State(status, None if status == LotStatus.RELEASED else UNKNOWN)
        if ref in self.made:
            return self.made_as(self.made[ref], seen)
        status = self.created.get(ref, LotStatus.RELEASED.value)
        return State(status, None if status == LotStatus.RELEASED else UNKNOWN)


def _holder(before: list[_Decision]) -> str | None:
    """The holder the decisions give (those up to the event, in order): nobody once released;
    else who set each status since the last release, or UNKNOWN when a status before them (not
    released, not recorded) or a decision's chain is not known."""
    if before[-1].to_status == LotStatus.RELEASED:
        return None
    released = [n for n, d in enumerate(before) if d.to_status == LotStatus.RELEASED]
    since = before[released[-1] + 1 :] if released else before
    if not released and since[0].from_status not in (None, LotStatus.RELEASED):
        return UNKNOWN
    if any(d.chain is None for d in since):
        return UNKNOWN
    return held_by_of(None if d.chain == COMPANY_CHAIN else d.chain for d in since)


def _before(decision: _Decision, event: Made) -> bool:
    if decision.event_seq is not None:
        return decision.event_seq < event.server_seq
    return decision.at <= event.received_at


def _refs(made: Made) -> list[tuple[str, str]]:
    return [(made.item, source) for source in made.sources]


def _decisions(conn: Connection, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[_Decision]]:
    """Each lot's recorded decisions in the order central applied them (id)."""
    h, r, a = lot_status_history, received_events, audit_log
    by_event = (
        select(func.min(r.c.server_seq))
        .where(r.c.id == func.substr(h.c.source, len(EVENT_SOURCE) + 1), r.c.outcome.in_(COUNTED))
        .scalar_subquery()
    )
    chain = select(a.c.site).where(a.c.kind == STATUS, a.c.ref == h.c.id).limit(1).scalar_subquery()
    found: dict[tuple[str, str], list[_Decision]] = {}
    pairs = sorted(refs)
    for start in range(0, len(pairs), 500):
        query = (
            select(
                h.c.item,
                h.c.lot,
                h.c.id,
                h.c.from_status,
                h.c.to_status,
                h.c.effective_at,
                h.c.source,
                by_event,
                chain,
            )
            .where(tuple_(h.c.item, h.c.lot).in_(pairs[start : start + 500]))
            .order_by(h.c.item, h.c.lot, h.c.id)
        )
        for item, lot, id_, before, after, at, source, seq, site in conn.execute(query):
            from_event = source is not None and str(source).startswith(EVENT_SOURCE)
            event_seq = int(seq) if from_event and seq is not None else None
            decision = _Decision(int(id_), before, str(after), at, event_seq, site)
            found.setdefault((item, lot), []).append(decision)
    return found


def _created_statuses(conn: Connection, refs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The status the first receipt, production or count of each lot gave it."""
    if not refs:
        return {}
    r = received_events
    codes = sorted({lot for _, lot in refs})
    found: dict[tuple[str, str], str] = {}
    for start in range(0, len(codes), 500):
        rows = conn.execute(
            select(r.c.lot_code, r.c.payload)
            .where(
                r.c.lot_code.in_(codes[start : start + 500]), r.c.type.in_(CREATING), r.c.outcome.in_(COUNTED)
            )
            .order_by(r.c.server_seq)
        )
        for lot, payload_text in rows:
            payload = _json(payload_text)
            ref = (str(payload.get("item")), lot)
            if ref in refs and ref not in found:
                found[ref] = str(payload.get("lot_status") or LotStatus.RELEASED.value)
    return found


def _expiries(conn: Connection, refs: set[tuple[str, str]]) -> dict[tuple[str, str], date | None]:
    if not refs:
        return {}
    pairs = sorted(refs)
    query = (
        select(Item.code, Lot.code, Lot.expiry)
        .join(Item, Item.id == Lot.item_id)
        .where(tuple_(Item.code, Lot.code).in_(pairs))
    )
    return {(item, lot): expiry for item, lot, expiry in conn.execute(query)}


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return dict(value or {})


def _datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
