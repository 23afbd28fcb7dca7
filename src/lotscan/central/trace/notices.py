"""Recall notices: one per customer (the affected lots we shipped them) and one per supplier (their
lots that went into what is recalled), each saying which lots (traceability lot code, product,
quantity, dates, reference documents), what to do, and whom to contact. Written as markdown for
people and JSON for systems.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from lotscan.central.trace.genealogy import Direction
from lotscan.central.trace.opening import openings
from lotscan.central.trace.parties import Directory
from lotscan.central.trace.trace import LotRef, Movement, TraceLot, json_default, trace
from lotscan.domain.parties import PartyInfo

CUSTOMER_ACTION = (
    "Stop selling and using these lots now. Set aside all stock you hold of them, count it, and "
    "tell us the quantities on hand and where any of it went from you (21 CFR 1.1340: pass this "
    "notice on to your own recipients). Keep it until we tell you whether to return or destroy it."
)
SUPPLIER_ACTION = (
    "Your lots listed here went into products we are recalling. Check them and any lots made "
    "with the same inputs, and tell us within 24 hours of any finding or other affected lots."
)


@dataclass
class NoticeLot:
    tlc: str
    internal_lot: str | None
    item: str
    product: str
    qty: float
    unit: str
    dates: list[str]
    documents: list[str]


@dataclass
class Notice:
    kind: str  # customer | supplier
    to: str
    to_code: str
    to_description: str
    recall_id: int | None
    reason: str
    issued_at: datetime
    action: str
    contact: str
    lots: list[NoticeLot] = field(default_factory=list)

    def file_stem(self) -> str:
        return f"{self.kind}-{re.sub(r'[^A-Za-z0-9]+', '-', self.to_code).strip('-').lower() or 'unknown'}"

    def to_dict(self) -> dict[str, Any]:
        return dict(json.loads(self.to_json()))

    def to_json(self, indent: int | None = None) -> str:
        # json_default writes each dataclass's fields as they are: no deep copy as asdict makes
        return json.dumps(self, default=json_default, indent=indent)

    def markdown(self) -> str:
        title = "Recall notice" if self.kind == "customer" else "Recall notice to a supplier"
        number = f" #{self.recall_id}" if self.recall_id is not None else " (draft: dry run)"
        dated = "Shipped" if self.kind == "customer" else "Received"
        lines = [
            f"# {title}{number}",
            "",
            f"To: **{self.to}**  ",
            f"{self.to_description}",
            "",
            f"Issued: {self.issued_at.isoformat(timespec='minutes')} UTC  ",
            f"Reason: {self.reason}",
            "",
            "## Affected lots",
            "",
            f"| Traceability lot code | Product | Quantity | {dated} | Reference documents |",
            "|---|---|---|---|---|",
        ]
        for lot in self.lots:
            internal = f" (our lot {lot.internal_lot})" if lot.internal_lot else ""
            lines.append(
                f"| {lot.tlc}{internal} | {lot.product} ({lot.item}) | {lot.qty:g} {lot.unit} | "
                f"{', '.join(lot.dates)} | {', '.join(lot.documents) or '-'} |"
            )
        lines += ["", "## What to do", "", self.action, "", "## Contact", "", self.contact, ""]
        return "\n".join(lines)


def notices_for(
    conn: Connection,
    roots: list[LotRef],
    lots: list[TraceLot],
    shipments: list[Movement],
    *,
    recall_id: int | None,
    reason: str,
    issued_at: datetime,
    contact: str | None,
    by: str,
) -> list[Notice]:
    """Customer notices from the forward trace's shipments; supplier notices from the receipts
    of the roots and everything they were made from (a backward trace)."""
    directory = Directory.load(conn)
    described = {(lot.item, lot.lot): lot for lot in lots}
    backward = trace(conn, roots, [Direction.BACKWARD])
    described.update({(lot.item, lot.lot): lot for lot in backward.lots})
    reach = contact or _default_contact(directory, by)
    common = {"recall_id": recall_id, "reason": reason, "issued_at": issued_at, "contact": reach}
    notices = _grouped("customer", shipments, described, directory, CUSTOMER_ACTION, common)
    receipts = backward.receipts + _opening_stock_from_suppliers(conn, backward.lots, backward.receipts)
    notices += _grouped("supplier", receipts, described, directory, SUPPLIER_ACTION, common)
    return notices


def _opening_stock_from_suppliers(
    conn: Connection, lots: list[TraceLot], receipts: list[Movement]
) -> list[Movement]:
    """A lot that came in with the imported (opening) stock has no receipt event, but its lot row
    names its supplier: the stock import stands for its receipt, so that supplier is told too."""
    received = {(m.item, m.lot) for m in receipts}
    supplier_of = {
        (t.item, t.lot): t.supplier for t in lots if t.supplier and (t.item, t.lot) not in received
    }
    if not supplier_of:
        return []
    return [
        Movement(
            kind="opening",
            item=o.item,
            lot=o.lot,
            qty=o.qty,
            unit=None,
            at=o.at,
            partner=supplier_of[(o.item, o.lot)],
            document="opening stock import",
            location=o.location,
            station="",
            event_id=f"stock.imported #{o.decision_id}",
        )
        for o in openings(conn, set(supplier_of))
        if o.qty > 0
    ]


def _default_contact(directory: Directory, by: str) -> str:
    ours = [p for p in directory.by_code.values() if p.kind == "site"]
    business = f" at {ours[0].description()}" if ours else ""
    return f"{by}, recall coordinator{business}"


def _grouped(
    kind: str,
    movements: list[Movement],
    described: dict[tuple[str, str], TraceLot],
    directory: Directory,
    action: str,
    common: dict[str, Any],
) -> list[Notice]:
    by_partner: dict[str, dict[tuple[str, str], NoticeLot]] = {}
    for m in movements:
        lots = by_partner.setdefault(m.partner or "(not recorded)", {})
        lot = lots.get((m.item, m.lot))
        if lot is None:
            known = described.get((m.item, m.lot))
            supplier_lot = known.supplier_lot if known else None
            tlc, internal = (supplier_lot, m.lot) if supplier_lot and supplier_lot != m.lot else (m.lot, None)
            product = known.description if known else ""
            unit = m.unit or (known.unit if known else "")
            lot = lots[(m.item, m.lot)] = NoticeLot(tlc, internal, m.item, product, 0.0, unit, [], [])
        lot.qty += m.qty or 0.0
        day = m.at.date().isoformat()
        if day not in lot.dates:
            lot.dates.append(day)
        if m.document and m.document not in lot.documents:
            lot.documents.append(m.document)
    notices = []
    for partner, lots in sorted(by_partner.items()):
        party: PartyInfo = directory.partner(partner) or PartyInfo(partner, "unknown", partner)
        notices.append(
            Notice(
                kind,
                party.name,
                party.code,
                party.description(),
                action=action,
                lots=list(lots.values()),
                **common,
            )
        )
    return notices


def write_notices(notices: list[Notice], directory: Path) -> list[Path]:
    """notices/<kind>-<party>.md and .json, and notices/index.json listing them."""
    folder = directory / "notices"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for notice in notices:
        for suffix, text in (("md", notice.markdown()), ("json", notice.to_json(indent=1))):
            path = folder / f"{notice.file_stem()}.{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    index = [
        {"kind": n.kind, "to": n.to, "lots": len(n.lots), "file": f"{n.file_stem()}.md"} for n in notices
    ]
    (folder / "index.json").write_text(json.dumps(index, indent=1), encoding="utf-8")
    return written
