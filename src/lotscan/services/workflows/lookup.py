"""Lookup: scan anything and see what it is. Reads only; writes no event."""

from __future__ import annotations

from datetime import date
from typing import Any

from lotscan.codes.gs1 import Element
from lotscan.codes.scan import ScanKind
from lotscan.codes.suspicious import swallowed_split
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.status import days_left, is_expired
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    scan = run.scan
    if scan.kind is ScanKind.LOCATION:
        return _location(run)
    if scan.kind is ScanKind.ORDER and scan.internal:
        return _task(run, scan.internal.value)
    if scan.kind is ScanKind.OPERATOR and scan.internal:
        found = q.operator_by_badge(run.conn, scan.internal.value)
        if found is None:
            run.add(ReasonCode.UNKNOWN_OPERATOR, operator=scan.internal.value)
            return None
        return Plan(
            [],
            f"Operator {found['name']} ({found['role']}).",
            {"type": "operator", **_public(found)},
        )
    if not checks.scan_is_readable(run):
        return None
    if scan.kind is ScanKind.PALLET and scan.sscc and not scan.gtin:
        announced = _announced_pallet(run, scan.sscc)
        if announced is not None:  # tester W20: not "pallet ... of unknown product is not known"
            return announced
    product = checks.resolve_product(run)
    if product is None:
        return None
    if product.lot is None:
        if product.lot_code is not None:
            probable = _probable_lot(run, product)
            if probable is not None:  # tester's #23: not UNKNOWN_LOT, the lot the label shows
                plan = _lot(run, product.item, probable)
                plan.message = (
                    f"Read lot {product.lot_code}, which is not known: the label probably says lot "
                    f"{probable.code} (a GS separator was lost). {plan.message}"
                )
                return plan
            if product.other_case is not None:  # tester W21: SUSPICIOUS_LOT says "did you mean"
                return _lot(run, product.item, product.other_case)
            checks.require_known_lot(run, product)
            return None
        run.findings.reasons.clear()
        return _item(run, product.item)
    return _lot(run, product.item, product.lot)


def _announced_pallet(run: Run, sscc: str) -> Plan | None:
    """A pallet no receipt has brought in yet, but a task (an ASN) announces: what it says."""
    if q.container(run.conn, sscc) is not None:
        return None
    lines = q.lines_announcing_pallet(run.conn, sscc)
    if not lines:
        return None
    said = "; ".join(
        f"{a.kind.replace('_', ' ').upper()} {a.task} line {a.line.line_no}: {a.line.qty_expected:g} "
        f"{a.unit} of {a.description or a.item}" + (f", lot {a.line.lot_code}" if a.line.lot_code else "")
        for a in lines
    )
    announced = [
        {"task": a.task, "line_no": a.line.line_no, "item": a.item, "description": a.description,
         "lot": a.line.lot_code, "expected": a.line.qty_expected, "unit": a.unit}
        for a in lines
    ]  # fmt: skip
    return Plan(
        [],
        f"Pallet {sscc} is not received yet; announced on {said}. Receive it on {lines[0].task}.",
        {"type": "pallet", "sscc": sscc, "announced": announced},
    )


def _probable_lot(run: Run, product: checks.Product) -> q.LotRow | None:
    """The known lot a SUSPICIOUS_LOT reading probably is: its value without what it swallowed."""
    if not run.findings.has(ReasonCode.SUSPICIOUS_LOT) or not product.lot_code:
        return None
    split = swallowed_split(Element("10", product.lot_code, 0, 0, len(product.lot_code)))
    return q.lot_by_code(run.conn, product.item.id, split[0]) if split else None


def _below_zero(run: Run, lot: str, location: str, qty: float, unit: str) -> None:
    """Book stock below zero (more consumed or picked than the cache knew of) is a discrepancy
    to count and tell a supervisor about, not a quantity like any other (tester's #4)."""
    run.add(ReasonCode.STOCK_BELOW_ZERO, lot=lot, location=location, qty=f"{qty:g} {unit}")


def _public(operator: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in operator.items() if k != "pin_hash"}


def _lot(run: Run, item: q.ItemRow, lot: q.LotRow) -> Plan:
    today = run.ctx.today
    stock: list[dict[str, Any]] = [
        {"location": loc.code, "qty": qty, "pickable": loc.pickable, "hold": loc.is_hold}
        for loc, qty in q.stock_of_lot(run.conn, lot.id)
    ]
    below = next((row for row in stock if row["qty"] < 0), None)
    if below is not None:
        _below_zero(run, lot.code, below["location"], below["qty"], item.unit)
    links = q.lot_links(run.conn, lot.id)
    # A label that disagrees with the records is named with both dates; the earlier is shown.
    judged = checks.judged_expiry(run, lot, then="the lot is shown by that date")
    expired = is_expired(judged, today)
    details = {
        "type": "lot",
        "item": item.code,
        "gtin": item.gtin,
        "description": item.description,
        "lot": lot.code,
        "status": lot.status.value,
        "expiry": judged.isoformat() if judged else None,  # the one judged: the earlier of label and records
        "recorded_expiry": lot.expiry.isoformat() if lot.expiry else None,
        "label_expiry": run.scan.expiry.isoformat() if run.scan.expiry else None,
        "expired": expired,
        "days_left": days_left(judged, today),
        "stock": stock,
        "total": sum(s["qty"] for s in stock),
        "unit": item.unit,
        "pack_size": item.pack_size,
        "pack_unit": item.pack_unit,
        "events": q.recent_events_for_lot(run.conn, lot.code),
        "parents": links["parents"],
        "children": links["children"],
    }
    state = "EXPIRED" if expired else lot.status.value.upper()
    return Plan(
        [],
        f"Lot {lot.code} of {item.description or item.code}: {state}, expiry "
        f"{details['expiry'] or 'none'}, {details['total']:g} {item.unit} in {len(stock)} place(s).",
        details,
    )


def _item(run: Run, item: q.ItemRow) -> Plan:
    candidates = q.fefo_candidates(run.conn, item.id, run.ctx.today, limit=5)
    details = {
        "type": "item",
        "item": item.code,
        "gtin": item.gtin,
        "description": item.description,
        "fefo": [
            {
                "lot": c.lot_code,
                "location": c.location_code,
                "qty": c.quantity,
                "expiry": c.expiry.isoformat() if c.expiry else None,
            }
            for c in candidates
        ],
    }
    first = candidates[0] if candidates else None
    where = (
        f" First to use: lot {first.lot_code} at {first.location_code}." if first else " No pickable stock."
    )
    return Plan([], f"{item.description or item.code} ({item.gtin}).{where}", details)


def _location(run: Run) -> Plan | None:
    scan = run.scan
    code = scan.internal.value if scan.internal else (scan.gln or "")
    location = checks.resolve_location(run, code)
    if location is None:
        return None
    contents = q.contents_of_location(run.conn, location.id)
    for row in contents:  # expired derived as a lot's lookup derives it (tester W20)
        row["expired"] = is_expired(
            date.fromisoformat(row["expiry"]) if row["expiry"] else None, run.ctx.today
        )
    below = next((row for row in contents if row["qty"] < 0), None)
    if below is not None:
        _below_zero(run, below["lot"], location.code, below["qty"], below["unit"])
    flags = ("pickable" if location.pickable else "not pickable") + (
        ", HOLD area" if location.is_hold else ""
    )
    return Plan(
        [],
        f"Location {location.code} ({flags}): {len(contents)} lot(s).",
        {"type": "location", "location": location.code, "contents": contents},
    )


def _task(run: Run, code: str) -> Plan | None:
    task = q.task_by_code(run.conn, code)
    if task is None:
        run.add(ReasonCode.UNKNOWN_TASK, task=code)
        return None
    lines = []
    rows = q.task_lines_with_items(run.conn, task.id)
    status = q.task_status(task.kind, task.status, [line for line, _, _ in rows])
    for line, item_code, description in rows:
        lines.append(
            {
                "line_no": line.line_no,
                "item": item_code,
                "description": description,
                "expected": line.qty_expected,
                "done": line.qty_done,
                "short": line.qty_short,
                "lot": line.lot_code,
                "sscc": line.sscc,
            }
        )
    return Plan(
        [],
        f"{_TASK_NAMES.get(task.kind, task.kind)} {task.code} ({status}), {len(lines)} line(s).",
        {
            "type": "task",
            "task": task.code,
            "kind": task.kind,
            "status": status,
            "partner": task.partner,
            "lines": lines,
        },
    )


# A task kind as people say it (tester tz, Z9n: "Asn ASN-1001", "Work Order WO-3001").
_TASK_NAMES = {
    "asn": "ASN",
    "po": "PO",
    "work_order": "Work order",
    "pick_list": "Pick list",
    "shipment": "Shipment",
}
