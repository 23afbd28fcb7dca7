"""Consume: input lots scanned into a work order, checked against its bill of materials."""

from __future__ import annotations

from lotscan.domain.events import StockConsumed
from lotscan.domain.units import number
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent


def evaluate(run: Run) -> Plan | None:
    found = checks.lot_on_task_line(run, ("work_order",), "work order")
    if found is None:
        return None
    taken = checks.take_usable_lot(run, found, fefo=True)
    if taken is None:
        return None
    source, qty = taken
    task, item, lot, line = found.task, found.item, found.lot, found.line
    payload = StockConsumed(
        task=task.code,
        line_no=line.line_no,
        item=item.code,
        gtin=item.gtin,
        lot=lot.code,
        qty=qty,
        unit=item.unit,
        location=source.code,
    )
    done = line.qty_done + qty
    return Plan(
        [PlannedEvent(payload)],
        f"Consumed {checks.amount(run, qty, item.unit)} of lot {lot.code} from {source.code} "
        f"into {task.code}. "
        f"Line {line.line_no}: {number(done)}/{number(line.qty_expected)}.",
        {"task": task.code, "line_no": line.line_no, "done": done, "expected": line.qty_expected},
    )
