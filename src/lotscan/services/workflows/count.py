"""Count: a cycle count of a location, lot by lot; the counted quantity replaces the record."""

from __future__ import annotations

from lotscan.domain.events import StockCounted
from lotscan.domain.reasons import ReasonCode
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
    _check_expired(run, product, location)
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
    receipt or a mis-read label: it is counted (the shelf is what it is) and said (tester W23:
    it was created silently, released, with no supplier)."""
    item = product.item
    run.add(ReasonCode.LOT_NOT_RECEIVED, lot=product.lot_code, item=item.description or item.code)


def _check_expired(run: Run, product: checks.Product, location: q.LocationRow) -> None:
    """An expired lot, by its label or the records, is counted as it is on the shelf and said,
    EXPIRED_COUNTED, with where it goes (tester W23 for a lot never received; tester ty's W17
    re-walk for a known one, which was counted without a word). A label whose expiry differs
    from the records is named (EXPIRY_DIFFERS). Counted in a hold area, an expired lot is where
    it belongs: nothing more is said."""
    expired = checks.expired_lot(run, product.lot)
    if expired is not None and not location.is_hold:
        run.add(
            ReasonCode.EXPIRED_COUNTED,
            lot=product.lot_code,
            expiry=expired.expiry.isoformat(),
            by=expired.by,
            holds=checks.hold_places(run),
        )
    if product.lot is not None:
        checks.judged_expiry(run, product.lot, then="it is judged by that date")
