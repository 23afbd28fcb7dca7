"""First-expired-first-out, defined once.

Order: expiry ascending (no expiry last), then smaller quantity (empties partial bins), then
earlier receipt, then id. Candidates: released, unexpired lots with stock at pickable,
non-hold locations. The cache's SQL query sorts by exactly this key; tests hold it to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lotscan.domain.status import LotStatus, is_expired

_FAR_FUTURE = date.max


@dataclass(frozen=True, slots=True)
class StockCandidate:
    stock_id: int
    lot_id: int
    lot_code: str
    location_code: str
    quantity: float
    expiry: date | None
    received_at: datetime | None
    status: LotStatus
    pickable: bool
    hold_location: bool


def is_candidate(c: StockCandidate, today: date) -> bool:
    return (
        c.status is LotStatus.RELEASED
        and not is_expired(c.expiry, today)
        and c.pickable
        and not c.hold_location
        and c.quantity > 0
    )


def fefo_key(c: StockCandidate) -> tuple[date, float, datetime, int]:
    return (
        c.expiry or _FAR_FUTURE,
        c.quantity,
        c.received_at or datetime.max,
        c.stock_id,
    )


def fefo_order(candidates: list[StockCandidate], today: date) -> list[StockCandidate]:
    return sorted((c for c in candidates if is_candidate(c, today)), key=fefo_key)
