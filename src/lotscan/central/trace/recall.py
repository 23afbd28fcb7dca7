"""Recall: the forward closure of one or more lots, what to pull and whom to tell, and (unless a
dry run) every affected lot set to recalled, pushed to stations on the urgent path."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, text, update

from lotscan.central import changelog
from lotscan.central.changelog import utcnow
from lotscan.central.errors import CentralError
from lotscan.central.schema import lot_status_history
from lotscan.central.trace import decisions
from lotscan.central.trace.audited import RECALL, STATUS
from lotscan.central.trace.genealogy import Direction, closure_table
from lotscan.central.trace.notices import Notice, notices_for
from lotscan.central.trace.tables import recalls
from lotscan.central.trace.trace import LotRef, Movement, TraceResult, json_default, resolve_roots, trace
from lotscan.domain.status import LotStatus


@dataclass
class CustomerNotice:
    customer: str
    shipments: int
    quantities: dict[str, float]  # unit -> quantity shipped
    first_shipped: datetime
    last_shipped: datetime
    lots: list[str]
    documents: list[str]


@dataclass
class RecallReport:
    reason: str
    by: str
    created_at: datetime
    dry_run: bool
    recall_id: int | None
    trace: TraceResult
    customers: list[CustomerNotice] = field(default_factory=list)
    recalled: list[dict[str, Any]] = field(default_factory=list)  # lots whose status changed
    notices: list[Notice] = field(default_factory=list)  # one per customer and per supplier

    def summary(self) -> dict[str, Any]:
        t = self.trace
        return {
            "recall_id": self.recall_id,
            "dry_run": self.dry_run,
            "reason": self.reason,
            "by": self.by,
            "created_at": self.created_at,
            "roots": [f"{r.item}/{r.lot}" for r in t.roots],
            "lots_affected": len(t.lots),
            "lots_recalled_now": len(self.recalled),
            "stock_locations": len(t.stock),
            "stock_on_hand": _by_unit((s.unit, s.qty) for s in t.stock if s.qty > 0),
            "sites": sorted({s.site for s in t.stock}),
            "shipments": len(t.shipments),
            "customers": len(self.customers),
            "notices": {
                "customers": sum(n.kind == "customer" for n in self.notices),
                "suppliers": sum(n.kind == "supplier" for n in self.notices),
            },
            "pallets": len({p.sscc for p in t.pallets}),
        }

    def to_json(self, indent: int | None = None) -> str:
        data = {
            "summary": self.summary(),
            "lots": self.trace.lots,
            "edges": self.trace.edges,
            "stock": self.trace.stock,
            "shipments": self.trace.shipments,
            "customers": self.customers,
            "pallets": self.trace.pallets,
            "recalled": self.recalled,
        }
        return json.dumps(data, default=json_default, indent=indent)

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self.to_json())


def _by_unit(pairs: Any) -> dict[str, float]:
    totals: dict[str, float] = {}
    for unit, qty in pairs:
        totals[unit or ""] = totals.get(unit or "", 0.0) + (qty or 0.0)
    return totals


def customers_of(shipments: list[Movement]) -> list[CustomerNotice]:
    notices: dict[str, CustomerNotice] = {}
    for s in shipments:
        name = s.partner or "(customer not recorded)"
        notice = notices.get(name)
        if notice is None:
            notice = notices[name] = CustomerNotice(name, 0, {}, s.at, s.at, [], [])
        notice.shipments += 1
        notice.quantities[s.unit or ""] = notice.quantities.get(s.unit or "", 0.0) + (s.qty or 0.0)
        notice.first_shipped = min(notice.first_shipped, s.at)
        notice.last_shipped = max(notice.last_shipped, s.at)
        if f"{s.item}/{s.lot}" not in notice.lots:
            notice.lots.append(f"{s.item}/{s.lot}")
        if s.document and s.document not in notice.documents:
            notice.documents.append(s.document)
    return sorted(notices.values(), key=lambda n: n.customer)


def recall(
    conn: Connection,
    codes: list[str],
    reason: str,
    by: str,
    *,
    item: str | None = None,
    dry_run: bool = True,
    depth: int | None = None,
    contact: str | None = None,
) -> RecallReport:
    """`contact`: whom the notices name (default: `by`, recall coordinator at our first site)."""
    if not reason.strip():
        raise CentralError("give a reason (--reason): it is recorded with every recalled lot")
    roots: list[LotRef] = resolve_roots(conn, codes, item)
    result = trace(conn, roots, [Direction.FORWARD], depth)
    report = RecallReport(reason, by, utcnow(), dry_run, None, result, customers_of(result.shipments))
    if dry_run:
        report.notices = _notices(conn, report, roots, contact)
        return report
    to_recall = [x for x in result.lots if x.status != LotStatus.RECALLED.value]
    inserted = conn.execute(
        insert(recalls).values(
            created_at=report.created_at,
            by=by,
            reason=reason,
            roots=json.dumps([f"{r.item}/{r.lot}" for r in roots]),
            lots_recalled=len(to_recall),
            lots_affected=len(result.lots),
        )
    ).inserted_primary_key
    assert inserted is not None  # an INSERT of one row always has its key
    report.recall_id = int(inserted[0])
    report.notices = _notices(conn, report, roots, contact)  # before the change log's lock
    report.recalled, seq = mark_recalled(conn, f"recall #{report.recall_id}: {reason}", by, report.created_at)
    conn.execute(update(recalls).where(recalls.c.id == report.recall_id).values(change_seq=seq or None))
    decisions.record(conn, RECALL, [report.recall_id])  # as stored, after its status changes
    for lot in result.lots:  # the report shows each lot's status after the recall
        lot.status = LotStatus.RECALLED.value
    return report


def _notices(
    conn: Connection, report: RecallReport, roots: list[LotRef], contact: str | None
) -> list[Notice]:
    t = report.trace
    return notices_for(
        conn,
        roots,
        t.lots,
        t.shipments,
        recall_id=report.recall_id,
        reason=report.reason,
        issued_at=report.created_at,
        contact=contact,
        by=report.by,
    )


def mark_recalled(conn: Connection, reason: str, by: str, at: datetime) -> tuple[list[dict[str, Any]], int]:
    """Every lot of the forward closure just walked becomes recalled, set-based: one update, one
    history insert, and one urgent change-log append last (its lock is held until commit, so it
    is taken once, at the end, not once per lot as lot-by-lot status changes would). Returns the
    lots changed and the last change-log seq (0: nothing changed)."""
    table = closure_table(Direction.FORWARD)
    changing = conn.execute(
        text(
            f"SELECT o.id, i.code, o.code, o.status FROM {table} c JOIN lots o ON o.id = c.lot_id "
            "JOIN items i ON i.id = o.item_id WHERE o.status <> :to ORDER BY i.code, o.code"
        ),
        {"to": LotStatus.RECALLED.value},
    ).all()
    if not changing:
        return [], 0
    conn.execute(
        text(f"UPDATE lots SET status = :to WHERE id IN (SELECT lot_id FROM {table}) AND status <> :to"),
        {"to": LotStatus.RECALLED.value},
    )
    history_ids = (
        conn.execute(
            insert(lot_status_history).returning(lot_status_history.c.id, sort_by_parameter_order=True),
            [
                {
                    "item": item,
                    "lot": lot,
                    "from_status": previous,
                    "to_status": LotStatus.RECALLED.value,
                    "effective_at": at,
                    "reason": reason,
                    "by": by,
                    "source": "central",
                }
                for _id, item, lot, previous in changing
            ],
        )
        .scalars()
        .all()
    )
    keys = [("lot", item, lot) for _id, item, lot, _previous in changing]
    seq = changelog.append(conn, changelog.entries_for(conn, keys, urgent=True))
    # After the change log's lock, as every central decision does: the company chain's head
    # is always locked after it, never before, so the two cannot deadlock.
    decisions.record(conn, STATUS, list(history_ids))
    return [
        {"item": item, "lot": lot, "from": previous, "to": LotStatus.RECALLED.value}
        for _id, item, lot, previous in changing
    ], seq
