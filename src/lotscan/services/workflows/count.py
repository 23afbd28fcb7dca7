"""Count: a cycle count of a location, lot by lot; the counted quantity replaces the record."""

from __future__ import annotations

from lotscan.domain.events import StockCounted
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.status import is_expired
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    if not run.ctx.location:
        run.add(ReasonCode.MISSING_CONTEXT, detail="Scan the location you are counting first.")
        return None
    location = checks.resolve_location(run, run.ctx.location)
    if location is None or not checks.scan_is_readable(run):
        return None
    product = checks.resolve_product(run)
    if product is None or product.lot_code is None:
        return None
    if run.ctx.qty is None and run.scan.quantity is None:
        run.add(ReasonCode.MISSING_CONTEXT, detail="Enter the counted quantity for this lot.")
        return None
    counted = checks.scan_quantity(run, product.item)
    if product.lot is None:
        _new_lot(run, product)
    previous = q.stock_qty(run.conn, product.lot.id, location.id) if product.lot else 0.0
    payload = StockCounted(
        item=product.item.code,
        gtin=product.item.gtin,
        lot=product.lot_code,
        location=location.code,
        counted=counted,
        previous=previous,
        lot_status=product.item.receive_status,
        expiry=run.scan.expiry,
    )
    delta = counted - previous
    return Plan(
        [PlannedEvent(payload)],
        f"Counted {checks.amount(run, counted, product.item.unit)} of lot {product.lot_code} "
        f"at {location.code} "
        f"(record was {previous:g}, difference {delta:+g}).",
        {"previous": previous, "counted": counted, "difference": delta},
    )


def _new_lot(run: Run, product: checks.Product) -> None:
    """A count that finds a lot the cache never saw for the item is goods that arrived without a
    receipt or a mis-read label: it is counted (the shelf is what it is) and said, and so is a
    label already expired (tester W23: it was created silently, released, with no supplier)."""
    item = product.item
    run.add(ReasonCode.LOT_NOT_RECEIVED, lot=product.lot_code, item=item.description or item.code)
    expiry = run.scan.expiry
    if expiry is not None and is_expired(expiry, run.ctx.today):
        run.add(ReasonCode.EXPIRED_COUNTED, lot=product.lot_code, expiry=expiry.isoformat())
