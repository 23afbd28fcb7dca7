"""What the audit chain covers: every kind of audited record, its table and its fields. This is
the one audit field list; appending, sealing and verifying (in Python and in SQL) all read it.

A chain record covers one row: a received event (every column of it), or one of central's
decisions (a lot status change, a recall, a reconciliation item opened or resolved, a station
added, enrolled or revoked, an admin token added or revoked, a decision recorded through
`decisions.record_decision`). Its hash is

    sha256(prev_hash + US + kind + US + canonical(row))

where canonical(row) joins the kind's fields with the unit separator (US, 0x1F). Records written
before every column was covered ("event.v1") keep their original formula, without the kind.

Each site has a chain (its events and the decisions about its data); decisions that are about
the whole company (admin status changes, recalls, admin tokens) go into COMPANY_CHAIN.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from sqlalchemy import Connection, DateTime, Float, Select, Table, select

from lotscan.central.schema import (
    admin_tokens,
    lot_status_history,
    received_events,
    reconciliation_items,
    stations,
)
from lotscan.central.trace.tables import audit_log, central_decisions, recalls

GENESIS = "0" * 64
SEPARATOR = "\x1f"
COMPANY_CHAIN = "(company)"
MICRO = Decimal("0.000001")
TIME_FORMAT = "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}.{:06d}"  # zero-padded years, as to_char's YYYY


@dataclass(frozen=True)
class Audited:
    kind: str
    table: Table
    key: str  # the column a record's `ref` names
    fields: tuple[str, ...]
    exists_when: str | None = None  # a row has this kind of record once this column is set
    chain_column: str | None = None  # the column naming the row's site chain; None: COMPANY_CHAIN
    legacy: bool = False  # hash without the kind (records chained before version 2)

    def chain_of(self, row: Mapping[Any, Any]) -> str:
        return str(row[self.chain_column]) if self.chain_column else COMPANY_CHAIN


EVENT = "event"
EVENT_FIELDS = (
    "server_seq",
    "id",
    "station",
    "station_seq",
    "site",
    "operator",
    "occurred_at",
    "received_at",
    "clock_skew_s",
    "type",
    "workflow",
    "task_code",
    "lot_code",
    "raw",
    "payload",
    "verdict",
    "reasons",
    "outcome",
    "outcome_reason",
)
# What the chain covered before it covered every column; records migrated from then keep it.
EVENT_V1_FIELDS = (
    "server_seq",
    "id",
    "station",
    "station_seq",
    "site",
    "operator",
    "occurred_at",
    "received_at",
    "type",
    "payload",
    "outcome",
    "outcome_reason",
)
EVENT_SOURCE = "event "  # lot_status_history.source of a change a station's event made
STATUS = "lot.status"
RECALL = "recall"
RECONCILIATION_OPENED = "reconciliation.opened"
RECONCILIATION_RESOLVED = "reconciliation.resolved"
STATION_ADDED = "station.added"
STATION_ENROLLED = "station.enrolled"
STATION_REVOKED = "station.revoked"
ADMIN_ADDED = "admin.added"
ADMIN_REVOKED = "admin.revoked"
DECISION = "decision"

_RECON = ("id", "event_id", "server_seq", "station", "site", "lot_code", "code", "message", "opened_at")


def _all(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns)


KINDS: dict[str, Audited] = {
    a.kind: a
    for a in (
        Audited(EVENT, received_events, "server_seq", EVENT_FIELDS, chain_column="site"),
        Audited(
            "event.v1",
            received_events,
            "server_seq",
            EVENT_V1_FIELDS,
            chain_column="site",
            legacy=True,
        ),
        # Status changes: a station's (source "event <id>") go into its site's chain, central's
        # (admin, recall) into the company chain; the chain is chosen when recording.
        Audited(STATUS, lot_status_history, "id", _all(lot_status_history)),
        Audited(RECALL, recalls, "id", _all(recalls)),
        Audited(RECONCILIATION_OPENED, reconciliation_items, "id", _RECON, chain_column="site"),
        Audited(
            RECONCILIATION_RESOLVED,
            reconciliation_items,
            "id",
            ("id", "site", "resolved_at", "resolved_by", "resolution"),
            exists_when="resolved_at",
            chain_column="site",
        ),
        Audited(STATION_ADDED, stations, "id", ("id", "name", "site", "created_at"), chain_column="site"),
        Audited(
            STATION_ENROLLED,
            stations,
            "id",
            ("id", "name", "site", "enrolled_at", "token_hash", "local_id"),
            exists_when="enrolled_at",
            chain_column="site",
        ),
        Audited(
            STATION_REVOKED,
            stations,
            "id",
            ("id", "name", "site", "revoked_at"),
            exists_when="revoked_at",
            chain_column="site",
        ),
        Audited(ADMIN_ADDED, admin_tokens, "id", ("id", "name", "token_hash", "created_at")),
        Audited(ADMIN_REVOKED, admin_tokens, "id", ("id", "name", "revoked_at"), exists_when="revoked_at"),
        Audited(DECISION, central_decisions, "id", _all(central_decisions), chain_column="chain"),
    )
}


def text_of(value: Any) -> str:
    """One field as hashed: the same text Python and PostgreSQL (`sql_canonical`) produce."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, datetime):
        v = value
        return TIME_FORMAT.format(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        # As PostgreSQL's round(value::numeric, 6)::text: 15 significant digits, then 6 decimals,
        # halves away from zero, and no negative zero.
        with localcontext(prec=100):
            rounded = Decimal(f"{value:.15g}").quantize(MICRO, rounding=ROUND_HALF_UP)
        return str(rounded.copy_abs() if rounded == 0 else rounded)
    return str(value)


def canonical(audited: Audited, row: Mapping[Any, Any]) -> str:
    get = row.get
    return SEPARATOR.join([text_of(get(name)) for name in audited.fields])


def covered_text(audited: Audited, row: Mapping[Any, Any]) -> str:
    """What a record's hash covers besides the previous hash: the kind and the row's fields."""
    return canonical(audited, row) if audited.legacy else audited.kind + SEPARATOR + canonical(audited, row)


def chain_hash(prev_hash: str, audited: Audited, row: Mapping[Any, Any]) -> str:
    covered = covered_text(audited, row)
    return hashlib.sha256((prev_hash + SEPARATOR + covered).encode("utf-8")).hexdigest()


def sql_canonical(audited: Audited, alias: str = "t") -> str:
    """The same text as `canonical`, as a PostgreSQL expression over the kind's table."""

    def part(name: str) -> str:
        column = f"{alias}.{name}"
        kind = audited.table.c[name].type
        if isinstance(kind, DateTime):
            return f"coalesce(to_char({column}, 'YYYY-MM-DD HH24:MI:SS.US'), '')"
        if isinstance(kind, Float):
            return f"coalesce(round({column}::numeric, 6)::text, '')"
        return f"coalesce({column}::text, '')"

    text = " || chr(31) || ".join(part(n) for n in audited.fields)
    return text if audited.legacy else f"'{audited.kind}' || chr(31) || {text}"


def chain_of(conn: Connection, audited: Audited, row: Mapping[Any, Any]) -> str:
    """The chain a row belongs to: a station's status change goes into its site's chain."""
    if audited.kind == STATUS and str(row["source"] or "").startswith(EVENT_SOURCE):
        site = conn.execute(
            select(received_events.c.site)
            .where(received_events.c.id == str(row["source"])[len(EVENT_SOURCE) :])
            .limit(1)
        ).scalar()
        return str(site) if site else COMPANY_CHAIN
    return audited.chain_of(row)


def unchained_query(audited: Audited) -> Select[Any]:
    """Rows that should have a record of this kind and have none (nor a legacy one)."""
    table = audited.table
    kinds = [audited.kind, *(k for k, a in KINDS.items() if a.legacy and a.table is table)]
    covered = (
        select(audit_log.c.ref)
        .where(audit_log.c.kind.in_(kinds), audit_log.c.ref == table.c[audited.key])
        .exists()
    )
    query = select(table).where(~covered).order_by(table.c[audited.key])
    if audited.exists_when:
        query = query.where(table.c[audited.exists_when].is_not(None))
    return query
