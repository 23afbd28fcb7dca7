"""Operators (who may scan, hold, release) as central's decisions in the audit chain (tester W3: an
operator inserted as admin, or promoted with `update operators set role='supervisor'`, left every
chain intact, and central then accepted releases in that badge's name).

Every change central makes to an operator is a decision in the company chain (`central_decisions`,
subject `operator BADGE`) whose detail holds the operator's whole state after it: name, role, site,
active, and a digest of the PIN hash (never the hash itself, which the audit export would show):

- `operator.imported`: `central import` added the operator or changed any of these;
- `operator.activated` / `operator.deactivated`: `central operator activate|deactivate`, or an
  import's `active` column;
- `operator.recorded`: migration 0016 recorded the operators central held before this.

`audit verify` compares each operator row with the state its last such decision recorded:
`operator_unrecorded` for a row no decision recorded (inserted behind the chain's back),
`operator_mismatch` naming each field that differs (a role, site, PIN or `active` changed), and
`operator_removed` for a recorded operator whose row is gone. One read of the operators and one of
their decisions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from lotscan.central.schema import operators
from lotscan.central.trace.audited import DECISION
from lotscan.central.trace.tables import audit_log, central_decisions
from lotscan.services.importer import EVERY_SITE

IMPORTED = "operator.imported"
ACTIVATED = "operator.activated"
DEACTIVATED = "operator.deactivated"
RECORDED = "operator.recorded"
DECISIONS = (IMPORTED, ACTIVATED, DEACTIVATED, RECORDED)
SUBJECT = "operator "  # + badge
STATE = "state"  # the detail key holding the operator's state after the decision

OPERATOR_UNRECORDED = "operator_unrecorded"
OPERATOR_MISMATCH = "operator_mismatch"
OPERATOR_REMOVED = "operator_removed"
OPERATOR = "operator"  # the kind named in these findings: an operators row (ref: operators.id)


def state_of(row: Mapping[Any, Any]) -> dict[str, Any]:
    """What a decision records of an operator row (and verify compares)."""
    pin_hash = row["pin_hash"]
    return {
        "name": row["name"],
        "role": row["role"],
        "site": row["site"],
        "active": bool(row["active"]),
        "pin": None if pin_hash is None else hashlib.sha256(str(pin_hash).encode()).hexdigest()[:32],
    }


def states(conn: Connection, badges: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """The state of each operator central holds (of these badges; all when None)."""
    query = select(operators)
    if badges is not None:
        query = query.where(operators.c.badge.in_(list(badges)))
    return {str(r["badge"]): state_of(r) for r in conn.execute(query).mappings()}


def record_states(
    conn: Connection, decision: str, badges: Iterable[str], *, by: str, reason: str | None = None
) -> None:
    """Record the current state of these operators as one decision each (company chain)."""
    # Imported here: decisions -> audit -> audit_verify -> this module, which may be the first
    # of them imported (`lotscan central import` through central/operators.py).
    from lotscan.central.trace import decisions

    for badge, state in sorted(states(conn, badges).items()):
        detail: dict[str, Any] = {STATE: state}
        if reason is not None:
            detail["reason"] = reason
        decisions.record_decision(conn, decision, by=by, subject=SUBJECT + badge, detail=detail)


def record_import(
    conn: Connection, badges: Iterable[str], before: Mapping[str, dict[str, Any]], *, by: str, source: str
) -> None:
    """After an import of these badges: each operator it added or changed (its state is not the one
    `before` holds), recorded as `operator.imported`."""
    after = states(conn, badges)
    changed = [badge for badge, state in after.items() if before.get(badge) != state]
    record_states(conn, IMPORTED, changed, by=by, reason=f"imported from {source}")


def record_unrecorded(conn: Connection) -> None:
    """Record, as `operator.recorded` by migration 0016, every operator no decision recorded the
    state of (those central held before operators were recorded)."""
    recorded = set(_last_recorded(conn))
    unrecorded = [badge for badge in states(conn) if badge not in recorded]
    reason = "held before operators were recorded"
    record_states(conn, RECORDED, unrecorded, by="migration 0016", reason=reason)


@dataclass(frozen=True)
class OperatorMismatch:
    problem: str
    operator_id: int | None
    chain: str | None
    site_seq: int | None
    message: str


@dataclass(frozen=True)
class _Recorded:
    state: dict[str, Any]
    decision: int
    chain: str | None
    site_seq: int | None


def _last_recorded(conn: Connection) -> dict[str, _Recorded]:
    d, a = central_decisions, audit_log
    query = (
        select(d.c.id, d.c.subject, d.c.detail, a.c.site, a.c.site_seq)
        .select_from(d.outerjoin(a, (a.c.kind == DECISION) & (a.c.ref == d.c.id)))
        .where(d.c.decision.in_(DECISIONS))
        .order_by(d.c.id)
    )
    last: dict[str, _Recorded] = {}
    for r in conn.execute(query):
        badge = str(r.subject or "").removeprefix(SUBJECT)
        try:
            detail = json.loads(r.detail or "{}")
        except ValueError:
            detail = {}  # an altered decision: the chain check names it
        state = detail.get(STATE) if isinstance(detail, dict) else None
        if not isinstance(state, dict):
            continue  # an (de)activation recorded before states were: its state comes next
        site_seq = None if r.site_seq is None else int(r.site_seq)
        last[badge] = _Recorded(state, int(r.id), r.site, site_seq)
    return last


def operator_mismatches(conn: Connection) -> list[OperatorMismatch]:
    recorded = _last_recorded(conn)
    found = []
    rows = {str(r["badge"]): r for r in conn.execute(select(operators)).mappings()}
    for badge, row in sorted(rows.items()):
        state, last = state_of(row), recorded.get(badge)
        if last is None:
            found.append(
                OperatorMismatch(
                    OPERATOR_UNRECORDED,
                    int(row["id"]),
                    None,
                    None,
                    f"operator {badge} ({row['name']}, {row['role']}, site {_shown('site', row['site'])}): "
                    "no recorded decision added them (inserted behind the chain's back)",
                )
            )
            continue
        differ = [
            _difference(name, state.get(name), last.state.get(name))
            for name in sorted(state)
            if state.get(name) != last.state.get(name)
        ]
        if differ:
            found.append(
                OperatorMismatch(
                    OPERATOR_MISMATCH,
                    int(row["id"]),
                    last.chain,
                    last.site_seq,
                    f"operator {badge}: {'; '.join(differ)} by the last recorded decision ({_where(last)})",
                )
            )
    for badge, last in sorted(recorded.items()):
        if badge not in rows:
            found.append(
                OperatorMismatch(
                    OPERATOR_REMOVED,
                    None,
                    last.chain,
                    last.site_seq,
                    f"operator {badge}: recorded ({_where(last)}) but no longer stored (deleted behind the "
                    "chain's back)",
                )
            )
    return found


def _difference(name: str, stored: Any, recorded: Any) -> str:
    if name == "pin":
        return "PIN hash not the recorded one" if stored else "no PIN in the table, one"
    return f"{name} {_shown(name, stored)} in the table, {_shown(name, recorded)}"


def _shown(name: str, value: Any) -> str:
    return EVERY_SITE if name == "site" and value is None else str(value)


def _where(last: _Recorded) -> str:
    if last.site_seq is None:
        return f"decision #{last.decision}, not in any chain"
    return f"chain {last.chain}, record {last.site_seq}"
