"""Pick: a pick list line by line, FEFO enforced per policy, picked stock moved to staging."""

from __future__ import annotations

from lotscan.domain.events import StockPicked
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.units import number
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    found = checks.lot_on_task_line(run, ("pick_list",), "pick list")
    if found is None:
        return None
    taken = checks.take_usable_lot(run, found, fefo=True)
    if taken is None:
        return None
    source, qty = taken
    task, item, lot, line = found.task, found.item, found.lot, found.line
    if source.is_hold or not source.pickable:
        run.add(ReasonCode.HOLD_LOCATION, location=source.code)
    checks.check_task_qty(run, line, qty, item.unit)
    staging = q.location_by_id(run.conn, task.location_id) if task.location_id else None
    payload = StockPicked(
        task=task.code,
        line_no=line.line_no,
        item=item.code,
        gtin=item.gtin,
        lot=lot.code,
        qty=qty,
        unit=item.unit,
        from_location=source.code,
        to_location=staging.code if staging else None,
    )
    done = line.qty_done + qty
    return Plan(
        [PlannedEvent(payload)],
        f"Picked {checks.amount(run, qty, item.unit)} of lot {lot.code} from {source.code}. "
        f"{task.code} line {line.line_no}: {number(done)}/{number(line.qty_expected)}.",
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
