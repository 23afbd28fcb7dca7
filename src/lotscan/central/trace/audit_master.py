"""Master data (operators, sites, locations, items, parties, tasks and their lines) as central's
decisions in the audit chain, so that a row changed behind the chain's back is named by `audit
verify` (tester W3 for operators; issue 9 item 5 for the rest: an item's GTIN or shelf life, a
location made pickable or no longer a hold location, a task line's expected quantity).

One mechanism for every kind (`Recorded`): each change central makes to such a row is a decision
in the company chain (`central_decisions`, subject `NOUN KEY`) whose detail holds the row's whole
recorded state after it (`state`):

- `NOUN.imported`: `central import` added the row or changed any recorded column;
- `NOUN.recorded`: a migration recorded the rows central held before the kind was recorded
  (0016 operators, 0018 the rest);
- a kind may have decisions of its own (operators: `operator.activated` / `operator.deactivated`).

`audit verify` compares each row with the state its last such decision recorded: `NOUN_unrecorded`
for a row no decision recorded (inserted behind the chain's back), `NOUN_mismatch` naming each
column that differs, and `NOUN_removed` for a recorded row that is gone. One read of the rows and
one of their decisions per kind.

What a kind records is what the import sets and nothing else changes: columns that pushed events
change (a task line's `qty_done` and `qty_short`, a lot's stock) are judged elsewhere or not at all
(docs/traceability.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, select
from sqlalchemy.sql.elements import SQLCoreOperations

from lotscan.central.trace.audited import DECISION
from lotscan.central.trace.tables import audit_log, central_decisions

STATE = "state"  # the detail key holding the row's state after the decision
_CHUNK = 500


def plain(value: Any) -> Any:
    """A column's value as the JSON of a decision holds it (and gives it back)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def plain_state(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Every selected column but `id` and `key`, as plain values."""
    return {name: plain(value) for name, value in row.items() if name not in ("id", "key")}


@dataclass(frozen=True)
class Recorded:
    """A kind of master data whose rows are recorded as decisions.

    `rows` selects one row per stored record labelled `id` (its key in its table), `key` (what the
    subject names: a code, `TASK/LINE`) and the recorded columns; `among` is the column an import's
    codes are looked up by (`states(..., among=...)`)."""

    noun: str
    rows: Callable[[], Select[*tuple[Any, ...]]]
    among: Callable[[], SQLCoreOperations[Any]]
    state_of: Callable[[Mapping[Any, Any]], dict[str, Any]] = plain_state
    extra_decisions: tuple[str, ...] = ()
    describe: Callable[[Mapping[Any, Any]], str] = lambda row: ""

    @property
    def imported(self) -> str:
        return f"{self.noun}.imported"

    @property
    def recorded(self) -> str:
        return f"{self.noun}.recorded"

    @property
    def decisions(self) -> tuple[str, ...]:
        return (self.imported, *self.extra_decisions, self.recorded)

    @property
    def subject(self) -> str:
        return f"{self.noun} "

    @property
    def unrecorded_problem(self) -> str:
        return f"{self.noun}_unrecorded"

    @property
    def mismatch_problem(self) -> str:
        return f"{self.noun}_mismatch"

    @property
    def removed_problem(self) -> str:
        return f"{self.noun}_removed"

    @property
    def problems(self) -> tuple[str, str, str]:
        return (self.unrecorded_problem, self.mismatch_problem, self.removed_problem)


def states(conn: Connection, kind: Recorded, among: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """The recorded state of each row of `kind` central holds (whose `among` column is one of
    these; all when None), by key."""
    if among is None:
        return {str(r["key"]): kind.state_of(r) for r in conn.execute(kind.rows()).mappings()}
    found: dict[str, dict[str, Any]] = {}
    wanted = sorted(set(among))
    for start in range(0, len(wanted), _CHUNK):
        query = kind.rows().where(kind.among().in_(wanted[start : start + _CHUNK]))
        found.update({str(r["key"]): kind.state_of(r) for r in conn.execute(query).mappings()})
    return found


def record_states(
    conn: Connection,
    kind: Recorded,
    decision: str,
    keyed: Mapping[str, dict[str, Any]],
    *,
    by: str,
    reason: str | None = None,
) -> None:
    """Record these states (by key) as one decision each, in the company chain, chained at once."""
    subjects = []
    for key, state in sorted(keyed.items()):
        detail: dict[str, Any] = {STATE: state}
        if reason is not None:
            detail["reason"] = reason
        subjects.append((kind.subject + key, detail))
    if subjects:
        # Imported here: decisions -> audit -> audit_verify -> this module, which may be the first
        # of them imported (`lotscan central import` through central/operators.py).
        from lotscan.central.trace.decisions import record_decisions

        record_decisions(conn, decision, subjects, by=by)


def record_import(
    conn: Connection,
    kind: Recorded,
    among: Iterable[str],
    before: Mapping[str, dict[str, Any]],
    *,
    by: str,
    source: str,
) -> None:
    """After an import of these codes: each row it added or changed (its state is not the one
    `before` holds), recorded as `NOUN.imported`."""
    after = states(conn, kind, among)
    changed = {key: state for key, state in after.items() if before.get(key) != state}
    record_states(conn, kind, kind.imported, changed, by=by, reason=f"imported from {source}")


def record_unrecorded(conn: Connection, kind: Recorded, *, by: str) -> None:
    """Record, as `NOUN.recorded`, every row of `kind` no decision recorded the state of (those
    central held before the kind was recorded)."""
    recorded = set(_last_recorded(conn, kind))
    unrecorded = {key: state for key, state in states(conn, kind).items() if key not in recorded}
    reason = f"held before {kind.noun} changes were recorded"
    record_states(conn, kind, kind.recorded, unrecorded, by=by, reason=reason)


@dataclass(frozen=True)
class Mismatch:
    problem: str
    ref: int | None  # the row's id in its table
    chain: str | None
    site_seq: int | None
    message: str


@dataclass(frozen=True)
class _Last:
    state: dict[str, Any]
    decision: int
    chain: str | None
    site_seq: int | None


def _last_recorded(conn: Connection, kind: Recorded) -> dict[str, _Last]:
    d, a = central_decisions, audit_log
    query = (
        select(d.c.id, d.c.subject, d.c.detail, a.c.site, a.c.site_seq)
        .select_from(d.outerjoin(a, (a.c.kind == DECISION) & (a.c.ref == d.c.id)))
        .where(d.c.decision.in_(kind.decisions))
        .order_by(d.c.id)
    )
    last: dict[str, _Last] = {}
    for r in conn.execute(query):
        key = str(r.subject or "").removeprefix(kind.subject)
        try:
            detail = json.loads(r.detail or "{}")
        except ValueError:
            detail = {}  # an altered decision: the chain check names it
        state = detail.get(STATE) if isinstance(detail, dict) else None
        if not isinstance(state, dict):
            continue  # a decision recorded before states were: its state comes next
        site_seq = None if r.site_seq is None else int(r.site_seq)
        last[key] = _Last(state, int(r.id), r.site, site_seq)
    return last


Shown = Callable[[str, Any, Any], str]  # (column, stored, recorded) -> how a difference is said


def _said(name: str, stored: Any, recorded: Any) -> str:
    return f"{name} {stored} in the table, {recorded}"


def mismatches(conn: Connection, kind: Recorded, difference: Shown = _said) -> list[Mismatch]:
    """Each row of `kind` that is not the state its last decision recorded, each recorded row gone."""
    recorded = _last_recorded(conn, kind)
    found = []
    rows = {str(r["key"]): r for r in conn.execute(kind.rows()).mappings()}
    for key, row in sorted(rows.items()):
        state, last = kind.state_of(row), recorded.get(key)
        name = f"{kind.noun.replace('_', ' ')} {key}"
        if last is None:
            said = kind.describe(row)
            found.append(
                Mismatch(
                    kind.unrecorded_problem,
                    int(row["id"]),
                    None,
                    None,
                    f"{name}{f' ({said})' if said else ''}: no recorded decision added it (inserted behind "
                    "the chain's back)",
                )
            )
            continue
        differ = [
            difference(column, state.get(column), last.state.get(column))
            for column in sorted(set(state) | set(last.state))
            if state.get(column) != last.state.get(column)
        ]
        if differ:
            found.append(
                Mismatch(
                    kind.mismatch_problem,
                    int(row["id"]),
                    last.chain,
                    last.site_seq,
                    f"{name}: {'; '.join(differ)} by the last recorded decision ({_where(last)})",
                )
            )
    for key, last in sorted(recorded.items()):
        if key not in rows:
            found.append(
                Mismatch(
                    kind.removed_problem,
                    None,
                    last.chain,
                    last.site_seq,
                    f"{kind.noun.replace('_', ' ')} {key}: recorded ({_where(last)}) but no longer stored "
                    "(deleted behind the chain's back)",
                )
            )
    return found


def _where(last: _Last) -> str:
    if last.site_seq is None:
        return f"decision #{last.decision}, not in any chain"
    return f"chain {last.chain}, record {last.site_seq}"
