"""Reconciliation items: flagged events a supervisor must look at. Never dropped, never merged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from lotscan.central.changelog import utcnow
from lotscan.central.errors import NotFound
from lotscan.central.schema import reconciliation_items as items
from lotscan.central.trace import decisions
from lotscan.central.trace.audited import RECONCILIATION_RESOLVED


def _plain(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row._mapping.items()}


def open_items(
    conn: Connection, site: str | None = None, *, include_resolved: bool = False
) -> list[dict[str, Any]]:
    query = select(items).order_by(items.c.id)
    if not include_resolved:
        query = query.where(items.c.resolved_at.is_(None))
    if site is not None:
        query = query.where(items.c.site == site)
    return [_plain(r) for r in conn.execute(query)]


def resolve(conn: Connection, item_id: int, by: str, resolution: str) -> None:
    done = conn.execute(
        update(items)
        .where(items.c.id == item_id, items.c.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by=by, resolution=resolution)
    ).rowcount
    if not done:
        raise NotFound(f"no open reconciliation item {item_id}; see lotscan central flagged")
    decisions.record(conn, RECONCILIATION_RESOLVED, [item_id])
