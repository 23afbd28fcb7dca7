"""Pick: a pick list line by line, FEFO enforced per policy, picked stock moved to staging."""

from __future__ import annotations

from lotscan.domain.reasons import ReasonCode
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    task = checks.resolve_task(run, ("pick_list",), "pick list")
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
    if source.is_hold or not source.pickable:
        run.add(ReasonCode.HOLD_LOCATION, location=source.code)
    default = min(line.remaining, available) if line.remaining > 0 and available > 0 else None
    qty = checks.scan_quantity(run, default)
    checks.check_stock(run, lot, source, available, qty, product.item.unit)
    checks.check_task_qty(run, line, qty, product.item.unit)
    staging = q.location_by_id(run.conn, task.location_id) if task.location_id else None
    payload = {
        "task": task.code,
        "line_no": line.line_no,
        "item": product.item.code,
        "gtin": product.item.gtin,
        "lot": lot.code,
        "qty": qty,
        "unit": product.item.unit,
        "from": source.code,
        "to": staging.code if staging else None,
    }
    done = line.qty_done + qty
    return Plan(
        [PlannedEvent("stock.picked", payload)],
        f"Picked {qty:g} {product.item.unit} of lot {lot.code} from {source.code}. "
        f"{task.code} line {line.line_no}: {done:g}/{line.qty_expected:g}.",
        {"task": task.code, "line_no": line.line_no, "done": done, "expected": line.qty_expected},
    )


def next_prompt(run: Run) -> dict[str, object] | None:
    """The FEFO prompt for the first open line: which lot, where, how many."""
    task = q.task_by_code(run.conn, run.ctx.task or "")
    if task is None:
        return None
    for line in q.task_lines(run.conn, task.id):
        if line.remaining <= 0:
            continue
        item = q.item_by_id(run.conn, line.item_id)
        if item is None:
            continue
        best = q.fefo_candidates(run.conn, item.id, run.ctx.today, limit=1)
        return {
            "task": task.code,
            "line_no": line.line_no,
            "item": item.code,
            "description": item.description,
            "gtin": item.gtin,
            "remaining": line.remaining,
            "unit": item.unit,
            "lot": best[0].lot_code if best else None,
            "location": best[0].location_code if best else None,
            "available": best[0].quantity if best else 0.0,
            "expiry": best[0].expiry.isoformat() if best and best[0].expiry else None,
        }
    return None
