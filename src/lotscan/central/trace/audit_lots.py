"""Checks that each lot's current status and holder (lots.status, lots.held_by) follow from the
decisions the audit chains record (tester's T16): a recall undone with an UPDATE on `lots` left
every chain intact, and stations pulled the released lot.

The decisions are lot_status_history rows, each chained (kind lot.status: a station's in its
site's chain, central's in the company chain). A lot's status must be the to_status of its last
decision (highest id: the order central applied them), and its holder the one those decisions
since its last release give (domain/status.py's rule). Lots without a recorded decision (their
status came from an import or from the receipt event that created them; an import is not a
decision the chain records) are not judged. An import that later re-sets a recorded status is
named like any other change behind the chain's back. Two set-based queries, whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from lotscan.central.trace.audited import COMPANY_CHAIN, STATUS
from lotscan.domain.status import CENTRAL, LotStatus, held_by_of

STATUS_MISMATCH = "status_mismatch"
HOLDER_MISMATCH = "holder_mismatch"
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
    return found


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
    found = []
    for key, (lot_id, held_by, status, chain, seq, decision) in held.items():
        if key in not_chained:
            continue
        expected = held_by_of(origins.get(key, [])) if status != LotStatus.RELEASED else None
        allowed = {expected, CENTRAL} if key in unknown_before else {expected}
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


def _where(chain: str | None, seq: object, decision: int) -> str:
    if chain is None:
        return f"status history row {decision}, not in any chain"
    return f"chain {chain}, record {seq}"


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))
