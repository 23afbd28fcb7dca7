"""Move / putaway: a lot from where it is to the scanned location."""

from __future__ import annotations

from lotscan.domain.events import StockMoved
from lotscan.domain.reasons import ReasonCode
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    if not checks.scan_is_readable(run):
        return None
    product = checks.resolve_product(run)
    lot = checks.require_known_lot(run, product) if product else None
    if product is None or lot is None:
        return None
    target = checks.resolve_location(run, run.ctx.to_location)
    if target is None:
        if not run.ctx.to_location:
            run.add(ReasonCode.MISSING_CONTEXT, detail="Scan the location to move the lot to.")
        return None
    source, available = checks.source_location(run, lot)
    if source is None:
        return None
    if source.id == target.id:  # nothing to move, and nothing an override could pass (tester W4)
        if not run.findings.has(ReasonCode.WRONG_LOCATION):  # else it is not there to begin with
            run.add(ReasonCode.MISSING_CONTEXT, detail=already_there(lot.code, target.code))
        return None
    check_goes_to_hold(run, lot, target)
    check_expired_goes_to_hold(run, lot, target)
    qty = checks.scan_quantity(run, product.item, available if available > 0 else None)
    checks.check_told_place_covers(run, lot, source, available, qty, product.item.unit)
    if not run.findings.has(ReasonCode.LOCATION_NEEDED):
        checks.check_stock(run, lot, source, available, qty, product.item.unit)
    payload = StockMoved(
        item=product.item.code, lot=lot.code, qty=qty, from_location=source.code, to_location=target.code
    )
    return Plan(
        [PlannedEvent(payload)],
        f"Moved {checks.amount(run, qty, product.item.unit)} of lot {lot.code} from {source.code} "
        f"to {target.code}.",
        {"from": source.code, "to": target.code},
    )


def check_goes_to_hold(run: Run, lot: q.LotRow, target: q.LocationRow) -> None:
    """A recalled, held, quarantined or rejected lot belongs in a hold area: moved anywhere else
    it could be picked, consumed or shipped (tester W18: recalled flour moved into a finished
    goods bin was plain ACCEPTED). Into a hold area is the right move and passes."""
    if target.is_hold or lot.status not in checks.STATUS_REASONS:
        return
    run.add(
        ReasonCode.LOT_OUT_OF_HOLD,
        lot=lot.code,
        status=lot.status.upper(),
        holds=checks.hold_places(run),
        location=target.code,
    )


def check_expired_goes_to_hold(run: Run, lot: q.LotRow, target: q.LocationRow) -> None:
    """An expired lot, by its label or the records, belongs in a hold area as a blocked one
    does: moved anywhere else it is recorded (it did move) and said, EXPIRED_MOVED, naming the
    hold areas (tester ty, W17 re-walk: a label that said expired moved into a pick bin without
    a word). A label whose expiry differs from the records is named either way (EXPIRY_DIFFERS);
    into a hold area the move is otherwise plain."""
    expired = checks.expired_lot(run, lot)
    if expired is not None and not target.is_hold:
        run.add(
            ReasonCode.EXPIRED_MOVED,
            lot=lot.code,
            expiry=expired.expiry.isoformat(),
            by=expired.by,
            holds=checks.hold_places(run),
            location=target.code,
        )
    checks.judged_expiry(run, lot, then="it is judged by that date")


def already_there(lot: str, location: str) -> str:
    """What a move to the place the lot is taken from says: the lot stays where it is, and the
    next location scanned is where it goes (the station keeps the lot scanned)."""
    return f"{lot} is already at {location}: scan where it goes."
