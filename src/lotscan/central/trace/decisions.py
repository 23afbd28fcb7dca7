"""Recording central's decisions in the audit chain: the one call other code makes.

Decisions with a table of their own (lot status changes, recalls, reconciliation items, stations,
admin tokens) are chained with `record` right where they are written. A decision with no table
of its own (a mock-recall drill, a configuration change, ...) is recorded with `record_decision`,
which stores it in `central_decisions` and chains it, in the caller's transaction:

    record_decision(conn, "recall.drill", by="admin:alice", subject="lots F-1, F-2",
                    detail={"lots_affected": 12, "minutes": 3.5})

`site=None` puts it into the company-wide chain; a site code into that site's chain.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, insert

from lotscan.central.changelog import utcnow
from lotscan.central.errors import CentralError
from lotscan.central.trace import audit
from lotscan.central.trace.audited import COMPANY_CHAIN, DECISION
from lotscan.central.trace.tables import central_decisions

MAX_NAME = 64


def record_decision(
    conn: Connection,
    decision: str,
    *,
    by: str,
    subject: str | None = None,
    detail: Mapping[Any, Any] | None = None,
    site: str | None = None,
) -> int:
    """Store and chain one decision of central's; returns its id (central_decisions.id)."""
    return record_decisions(conn, decision, [(subject, detail)], by=by, site=site)[0]


def record_decisions(
    conn: Connection,
    decision: str,
    subjects: Sequence[tuple[str | None, Mapping[Any, Any] | None]],
    *,
    by: str,
    site: str | None = None,
) -> list[int]:
    """Store one decision per (subject, detail), chained at once (an import's many rows); returns
    their ids."""
    if not decision.strip() or len(decision) > MAX_NAME:
        raise CentralError(f"a decision needs a name of 1..{MAX_NAME} characters, not {decision!r}")
    if not by.strip():
        raise CentralError("a decision needs who made it (by)")
    at = utcnow()
    ids = [
        int(
            conn.execute(
                insert(central_decisions)
                .returning(central_decisions.c.id)
                .values(
                    chain=site or COMPANY_CHAIN,
                    decision=decision,
                    at=at,
                    by=by[:MAX_NAME],
                    subject=None if subject is None else subject[:200],
                    detail=None if detail is None else json.dumps(detail, sort_keys=True, default=str),
                )
            ).scalar_one()
        )
        for subject, detail in subjects
    ]
    audit.record(conn, DECISION, ids)
    return ids


def record(conn: Connection, kind: str, refs: Sequence[int], *, site: str | None = None) -> None:
    """Chain rows central just wrote (kind from `audited.KINDS`, refs their keys): into `site`'s
    chain, or where the kind says (its row's site, or the company chain)."""
    audit.record(conn, kind, refs, site)


__all__ = ["record", "record_decision", "record_decisions"]
