"""Lot status and the one definition of 'expired'."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class LotStatus(StrEnum):
    RELEASED = "released"
    QUARANTINE = "quarantine"
    HOLD = "hold"
    RECALLED = "recalled"
    REJECTED = "rejected"


def is_expired(expiry: date | None, today: date) -> bool:
    """Expired when today is after the expiry date; a lot is still usable on its expiry day."""
    return expiry is not None and today > expiry


def days_left(expiry: date | None, today: date) -> int | None:
    return None if expiry is None else (expiry - today).days
