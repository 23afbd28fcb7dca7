"""Ship: picked lots confirmed onto a shipment for a customer."""

from __future__ import annotations

from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    task = checks.resolve_task(run, ("shipment",), "shipment")
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
    checks.check_duplicate(run)
    if run.ctx.location is None and task.location_id is not None:
        staging = q.location_by_id(run.conn, task.location_id)
        run.ctx = run.ctx.with_(location=staging.code if staging else None)
    source, available = checks.source_location(run, lot, run.ctx.qty)
    if source is None:
        return None
    default = min(line.remaining, available) if line.remaining > 0 and available > 0 else None
    qty = checks.scan_quantity(run, default)
    checks.check_stock(run, lot, source, available, qty, product.item.unit)
    checks.check_task_qty(run, line, qty, product.item.unit)
    payload = {
        "task": task.code,
        "line_no": line.line_no,
        "customer": task.partner,
        "item": product.item.code,
        "gtin": product.item.gtin,
        "lot": lot.code,
        "qty": qty,
        "unit": product.item.unit,
        "location": source.code,
    }
    return Plan(
        [PlannedEvent("stock.shipped", payload)],
        f"Shipped {qty:g} {product.item.unit} of lot {lot.code} "
        f"to {task.partner or 'customer'} on {task.code}.",
        {"task": task.code, "customer": task.partner},
    )
