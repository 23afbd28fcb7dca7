"""Consume: input lots scanned into a work order, checked against its bill of materials."""

from __future__ import annotations

from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent


def evaluate(run: Run) -> Plan | None:
    task = checks.resolve_task(run, ("work_order",), "work order")
    if not checks.scan_is_readable(run) or task is None:
        return None
    product = checks.resolve_product(run)
    lot = checks.require_known_lot(run, product) if product else None
    if product is None or lot is None:
        return None
    line = checks.open_line_for(run, task, product.item, task.code)
    if line is None:
        return None
    checks.check_usable(run, lot)
    checks.check_fefo(run, product.item, lot)
    checks.check_duplicate(run)
    source, available = checks.source_location(run, lot, run.ctx.qty)
    if source is None:
        return None
    default = min(line.remaining, available) if line.remaining > 0 and available > 0 else None
    qty = checks.scan_quantity(run, default)
    checks.check_stock(run, lot, source, available, qty, product.item.unit)
    payload = {
        "task": task.code,
        "line_no": line.line_no,
        "item": product.item.code,
        "gtin": product.item.gtin,
        "lot": lot.code,
        "qty": qty,
        "unit": product.item.unit,
        "location": source.code,
    }
    done = line.qty_done + qty
    return Plan(
        [PlannedEvent("stock.consumed", payload)],
        f"Consumed {qty:g} {product.item.unit} of lot {lot.code} into {task.code}. "
        f"Line {line.line_no}: {done:g}/{line.qty_expected:g}.",
        {"task": task.code, "line_no": line.line_no, "done": done, "expected": line.qty_expected},
    )
