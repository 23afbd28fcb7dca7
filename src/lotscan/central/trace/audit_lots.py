"""Checks that each lot's current status and holder (lots.status, lots.held_by) follow from the
decisions the audit chains record (tester's T16): a recall undone with an UPDATE on `lots` left
every chain intact, and stations pulled the released lot.

The decisions are lot_status_history rows, each chained (kind lot.status: a station's in its
site's chain, central's and an import's in the company chain). A lot's status must be the
to_status of its last decision (highest id: the order central applied them), and its holder the
one those decisions since its last release give (domain/status.py's rule). Two set-based queries,
whatever the size.

A lot without any decision got its status from the event that created it (a receipt, production
or count, maybe into quarantine; the event is chained, payload and all): its status must be the
one that event gave it (`undecided`). One without a decision nor such an event, on hold or worse,
has `no_decision` named (an import before imports were recorded as decisions: migration 0014
records those). A lot a split, merge or relabel made has its source's status at that event
until a decision of its own (audit_made).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, text

from lotscan.central.trace.audit_made import (
    HOLDER_MISMATCH,
    MOVES,
    STATUS_MISMATCH,
    made_mismatches,
    made_without_links,
)
from lotscan.central.trace.audited import COMPANY_CHAIN, EVENT, STATUS
from lotscan.domain.events import EventType
from lotscan.domain.status import CENTRAL, LotStatus, held_by_of
from lotscan.protocol import APPLIED, FLAGGED

NO_DECISION = "no_decision"
LOT = "lot"  # the kind named in these findings: the lots row (ref: lots.id), not a chain record

_LAST_DECISIONS = text("""
SELECT l.id AS lot_id, i.code AS item, l.code AS lot, l.status, l.held_by,
       h.id AS decision, h.to_status, a.site, a.site_seq
FROM (SELECT item, lot, max(id) AS id FROM lot_status_history GROUP BY item, lot) last
JOIN lot_status_history h ON h.id = last.id
JOIN items i ON i.code = h.item
JOIN lots l ON l.item_id = i.id AND l.code = h.lot
LEFT JOIN audit_log a ON a.kind = :kind AND a.ref = h.id
WHERE l.status <> h.to_status OR (l.held_by IS NOT NULL AND l.status = h.to_status)
""")

# The decisions since each held lot's last release, with the chain each is recorded in.
_SINCE_RELEASE = text("""
SELECT h.item, h.lot, h.id, h.from_status, a.site, r.released
FROM (SELECT item, lot, max(CASE WHEN to_status = :released THEN id ELSE 0 END) AS released
      FROM lot_status_history GROUP BY item, lot) r
JOIN lot_status_history h ON h.item = r.item AND h.lot = r.lot AND h.id > r.released
JOIN items i ON i.code = h.item
JOIN lots l ON l.item_id = i.id AND l.code = h.lot
LEFT JOIN audit_log a ON a.kind = :kind AND a.ref = h.id
WHERE l.held_by IS NOT NULL
ORDER BY h.item, h.lot, h.id
""")


# The events that create a lot with the status their payload names (store/effects.py ensure_lot).
CREATING = (EventType.STOCK_RECEIVED.value, EventType.LOT_PRODUCED.value, EventType.STOCK_COUNTED.value)

# Lots without any decision, with the first stored event that created them, when that event named
# a status or the lot is not released (the rest are released as created: nothing to compare), unless
# a split, merge or relabel made the lot before it (audit_made judges those: goods received into a
# lot split off a held one were a false status_mismatch, "released as created").
_CREATED = text("""
SELECT l.id AS lot_id, i.code AS item, l.code AS lot, l.status, e.id AS event_id, e.payload,
       e.site, a.site_seq
FROM (SELECT lot_code, min(server_seq) AS first FROM received_events
      WHERE type IN (:received, :produced, :counted) AND outcome IN (:applied, :flagged)
      GROUP BY lot_code) f
JOIN received_events e ON e.server_seq = f.first
JOIN lots l ON l.code = f.lot_code
JOIN items i ON i.id = l.item_id
LEFT JOIN audit_log a ON a.kind = :event AND a.ref = e.server_seq
WHERE (l.status <> :released OR e.payload LIKE :names_status)
  AND NOT EXISTS (SELECT 1 FROM lot_status_history h WHERE h.item = i.code AND h.lot = l.code)
  AND NOT EXISTS (SELECT 1 FROM lot_links k JOIN received_events m ON m.id = k.event_id
                  WHERE k.child_lot_id = l.id AND m.type IN (:split, :merged, :relabelled)
                  AND m.outcome IN (:applied, :flagged) AND m.server_seq < e.server_seq)
""")

# Lots on hold or worse with no decision, no creating event and not derived from another lot.
_UNEXPLAINED = text("""
SELECT l.id AS lot_id, i.code AS item, l.code AS lot, l.status
FROM lots l JOIN items i ON i.id = l.item_id
WHERE l.status <> :released
  AND NOT EXISTS (SELECT 1 FROM lot_status_history h WHERE h.item = i.code AND h.lot = l.code)
  AND NOT EXISTS (SELECT 1 FROM received_events e WHERE e.lot_code = l.code
                  AND e.type IN (:received, :produced, :counted) AND e.outcome IN (:applied, :flagged))
  AND NOT EXISTS (SELECT 1 FROM lot_links k WHERE k.child_lot_id = l.id)
ORDER BY l.id
""")


@dataclass(frozen=True)
class Undecided:
    """A lot without any recorded decision whose status is not what created it."""

    lot_id: int
    item: str
    lot: str
    status: str
    created_as: str | None  # the status its creating event gave it; None: no such event
    event_id: str | None
    chain: str | None
    site_seq: int | None


def undecided(conn: Connection) -> list[Undecided]:
    """Lots whose status no recorded decision explains (see the module's docstring)."""
    params = {
        "received": CREATING[0],
        "produced": CREATING[1],
        "counted": CREATING[2],
        "applied": APPLIED,
        "flagged": FLAGGED,
        "released": LotStatus.RELEASED.value,
    }
    found = []
    moves = {"split": MOVES[0], "merged": MOVES[1], "relabelled": MOVES[2]}
    created = conn.execute(_CREATED, {**params, **moves, "event": EVENT, "names_status": '%"lot_status": "%'})
    for r in created:
        payload = json.loads(r.payload) if isinstance(r.payload, str) else dict(r.payload or {})
        if payload.get("item") != r.item:
            continue  # the code's first event is another item's lot of that code: not judged
        created_as = str(payload.get("lot_status") or LotStatus.RELEASED.value)
        if created_as != r.status:
            found.append(
                Undecided(
                    int(r.lot_id), r.item, r.lot, r.status, created_as, r.event_id, r.site, _int(r.site_seq)
                )
            )
    unexplained = conn.execute(_UNEXPLAINED, params).all()
    made = made_without_links(conn) if unexplained else set()
    for r in unexplained:
        if int(r.lot_id) in made:
            continue  # a split, merge or relabel made it: audit_made judges it by that event
        found.append(Undecided(int(r.lot_id), r.item, r.lot, r.status, None, None, None, None))
    return found


@dataclass(frozen=True)
class LotMismatch:
    problem: str  # STATUS_MISMATCH or HOLDER_MISMATCH
    lot_id: int
    chain: str | None  # the chain recording the lot's last decision (None: not chained)
    site_seq: int | None
    message: str


def lot_mismatches(conn: Connection) -> list[LotMismatch]:
    found: list[LotMismatch] = []
    held: dict[tuple[str, str], tuple[int, str, str, str | None, int | None, int]] = {}
    for r in conn.execute(_LAST_DECISIONS, {"kind": STATUS}):
        where = _where(r.site, r.site_seq, int(r.decision))
        if r.status != r.to_status:
            found.append(
                LotMismatch(
                    STATUS_MISMATCH,
                    int(r.lot_id),
                    r.site,
                    _int(r.site_seq),
                    f"lot {r.lot} of {r.item}: status {r.status} in the table, {r.to_status} by the last "
                    f"recorded decision ({where})",
                )
            )
        else:
            held[(r.item, r.lot)] = (
                int(r.lot_id),
                r.held_by,
                r.status,
                r.site,
                _int(r.site_seq),
                int(r.decision),
            )
    if held:
        found += _holders(conn, held)
    for u in undecided(conn):
        if u.created_as is None:
            found.append(
                LotMismatch(
                    NO_DECISION,
                    u.lot_id,
                    None,
                    None,
                    f"lot {u.lot} of {u.item}: status {u.status} in the table, with no recorded decision "
                    "and no stored event that created it so (set behind the chain's back, or imported "
                    "before imports were recorded: `lotscan central migrate` records those)",
                )
            )
        else:
            said, how = f"status {u.status}", f"{u.created_as} as created"
            found.append(_not_as_made(u.lot_id, u.item, u.lot, said, how, u.event_id, u.chain, u.site_seq))
    for m in made_mismatches(conn):
        made = m.made
        by = f"as made by {made.event_type} from lot {', '.join(made.sources)}"
        if m.problem == STATUS_MISMATCH:
            said, how = f"status {made.status}", f"{m.expected.status} {by}"
        else:
            said = f"held by {made.held_by or 'nobody'}"
            how = f"held by {m.expected.held_by or 'nobody'} {by}"
        found.append(
            _not_as_made(
                made.lot_id,
                made.item,
                made.lot,
                said,
                how,
                made.event_id,
                made.chain,
                made.site_seq,
                m.problem,
            )
        )
    return found


def _not_as_made(
    lot_id: int,
    item: str,
    lot: str,
    said: str,
    how: str,
    event_id: str | None,
    chain: str | None,
    site_seq: int | None,
    problem: str = STATUS_MISMATCH,
) -> LotMismatch:
    """A lot with no decision of its own whose status (or holder: `problem`) is not the one the
    event that made it gave: `said` is what the table says, `how` what the event gave."""
    where = f"event {event_id}, " + (
        f"chain {chain}, record {site_seq}" if site_seq is not None else "not in any chain"
    )
    message = f"lot {lot} of {item}: {said} in the table, {how} ({where}) with no recorded decision since"
    return LotMismatch(problem, lot_id, chain, site_seq, message)


def _holders(
    conn: Connection, held: dict[tuple[str, str], tuple[int, str, str, str | None, int | None, int]]
) -> list[LotMismatch]:
    origins: dict[tuple[str, str], list[str | None]] = {}
    unknown_before: set[tuple[str, str]] = set()  # a status before the first recorded decision
    not_chained: set[tuple[str, str]] = set()
    for r in conn.execute(_SINCE_RELEASE, {"kind": STATUS, "released": LotStatus.RELEASED.value}):
        key = (r.item, r.lot)
        if key not in held:
            continue
        if key not in origins and int(r.released) == 0 and r.from_status not in (None, LotStatus.RELEASED):
            unknown_before.add(key)
        if r.site is None:
            not_chained.add(key)  # named as unchained by the chain check; its origin is not known
        origins.setdefault(key, []).append(None if r.site == COMPANY_CHAIN else r.site)
    creators = _creators(conn, sorted({lot for _, lot in unknown_before})) if unknown_before else {}
    found = []
    for key, (lot_id, held_by, status, chain, seq, decision) in held.items():
        if key in not_chained:
            continue
        expected = held_by_of(origins.get(key, [])) if status != LotStatus.RELEASED else None
        allowed = {expected}
        if key in unknown_before:  # the status before: central's, or its creator's (note_creator)
            allowed |= {CENTRAL, *_with_creator(origins.get(key, []), creators.get(key[1]))}
        if held_by in allowed:
            continue
        says = f"held by {expected}" if expected else "held by nobody"
        found.append(
            LotMismatch(
                HOLDER_MISMATCH,
                lot_id,
                chain,
                seq,
                f"lot {key[1]} of {key[0]}: held by {held_by} in the table, {says} by the recorded decisions "
                f"since its last release (last: {_where(chain, seq, decision)})",
            )
        )
    return found


_CREATORS = text("""
SELECT e.lot_code, e.site
FROM (SELECT lot_code, min(server_seq) AS first FROM received_events
      WHERE type IN (:received, :produced, :counted) AND outcome IN (:applied, :flagged)
        AND lot_code IN :codes
      GROUP BY lot_code) f
JOIN received_events e ON e.server_seq = f.first
""").bindparams(bindparam("codes", expanding=True))


def _creators(conn: Connection, codes: list[str]) -> dict[str, str]:
    """The site whose station made each lot code (its first receipt, production or count)."""
    params = {"received": CREATING[0], "produced": CREATING[1], "counted": CREATING[2]}
    rows = conn.execute(_CREATORS, {**params, "applied": APPLIED, "flagged": FLAGGED, "codes": codes})
    return {code: site for code, site in rows}


def _with_creator(origins: list[str | None], creator: str | None) -> set[str | None]:
    """The holder a lot made on hold or in quarantine by a station has after these decisions:
    its creator's site is the origin of the status before them."""
    return {held_by_of([*origins, creator])} if creator is not None else set()


def _where(chain: str | None, seq: object, decision: int) -> str:
    if chain is None:
        return f"status history row {decision}, not in any chain"
    return f"chain {chain}, record {seq}"


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))
