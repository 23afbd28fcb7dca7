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
their decisions. The mechanism is the one every recorded kind of master data uses
(audit_master.py); this module says what an operator's state is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from lotscan.central.schema import operators
from lotscan.central.trace import audit_master
from lotscan.central.trace.audit_master import Mismatch, Recorded
from lotscan.services.importer import EVERY_SITE

ACTIVATED = "operator.activated"
DEACTIVATED = "operator.deactivated"
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


def _described(row: Mapping[Any, Any]) -> str:
    return f"{row['name']}, {row['role']}, site {_shown('site', row['site'])}"


OPERATORS = Recorded(
    noun=OPERATOR,
    rows=lambda: select(operators, operators.c.badge.label("key")),
    among=lambda: operators.c.badge,
    state_of=state_of,
    extra_decisions=(ACTIVATED, DEACTIVATED),
    describe=_described,
)
IMPORTED, RECORDED = OPERATORS.imported, OPERATORS.recorded
OPERATOR_UNRECORDED, OPERATOR_MISMATCH, OPERATOR_REMOVED = OPERATORS.problems


def states(conn: Connection, badges: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """The state of each operator central holds (of these badges; all when None)."""
    return audit_master.states(conn, OPERATORS, badges)


def record_states(
    conn: Connection, decision: str, badges: Iterable[str], *, by: str, reason: str | None = None
) -> None:
    """Record the current state of these operators as one decision each (company chain)."""
    audit_master.record_states(conn, OPERATORS, decision, states(conn, badges), by=by, reason=reason)


def record_import(
    conn: Connection, badges: Iterable[str], before: Mapping[str, dict[str, Any]], *, by: str, source: str
) -> None:
    """After an import of these badges: each operator it added or changed, as `operator.imported`."""
    audit_master.record_import(conn, OPERATORS, badges, before, by=by, source=source)


def record_unrecorded(conn: Connection) -> None:
    """Record, as `operator.recorded` by migration 0016, every operator no decision recorded the
    state of (those central held before operators were recorded)."""
    audit_master.record_unrecorded(conn, OPERATORS, by="migration 0016")


def operator_mismatches(conn: Connection) -> list[Mismatch]:
    return audit_master.mismatches(conn, OPERATORS, _difference)


def _difference(name: str, stored: Any, recorded: Any) -> str:
    if name == "pin":
        return "PIN hash not the recorded one" if stored else "no PIN in the table, one"
    return f"{name} {_shown(name, stored)} in the table, {_shown(name, recorded)}"


def _shown(name: str, value: Any) -> str:
    return EVERY_SITE if name == "site" and value is None else str(value)
