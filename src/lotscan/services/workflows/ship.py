"""Ship: picked lots confirmed onto a shipment for a customer."""

from __future__ import annotations

from lotscan.domain.events import StockShipped
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    found = checks.lot_on_task_line(run, ("shipment",), "shipment")
    if found is None:
        return None
    task, item, lot, line = found.task, found.item, found.lot, found.line
    taken = checks.take_usable_lot(run, found, fefo=False, named=ships_from(run, task))
    if taken is None:
        return None
    source, qty = taken
    checks.check_task_qty(run, line, qty, item.unit)
    payload = StockShipped(
        task=task.code,
        line_no=line.line_no,
        customer=task.partner,
        item=item.code,
        gtin=item.gtin,
        lot=lot.code,
        qty=qty,
        unit=item.unit,
        location=source.code,
    )
    return Plan(
        [PlannedEvent(payload)],
        f"Shipped {checks.amount(run, qty, item.unit)} of lot {lot.code} from {source.code} to "
        f"{task.partner or 'customer'} on {task.code}.",
        {"task": task.code, "customer": task.partner},
    )


def ships_from(run: Run, task: q.TaskRow) -> checks.NamedPlace | None:
    """The place a shipment's lots are taken from unless another is scanned: its staging
    location (where pick lists put them), named before the scan ("Ship on SHP-5001 from
    DOCK-OUT"); a lot not there, or not enough of it, is asked for (tester W22)."""
    staging = q.location_by_id(run.conn, task.location_id) if task.location_id is not None else None
    return checks.NamedPlace(staging, f"where {task.code} ships from") if staging else None
