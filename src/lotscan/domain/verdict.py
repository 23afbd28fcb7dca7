"""What a station tells the person who scanned: a level, the reasons, and what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    ACCEPTED = "ACCEPTED"
    WARNING = "WARNING"
    REJECTED = "REJECTED"


_SEVERITY = {Level.ACCEPTED: 0, Level.WARNING: 1, Level.REJECTED: 2}


def worst(levels: list[Level]) -> Level:
    return max(levels, key=_SEVERITY.__getitem__, default=Level.ACCEPTED)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str
    level: Level = Level.REJECTED
    overridable: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "level": self.level.value}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The lot (and where it is) the rules would rather see scanned."""

    lot_code: str
    gtin: str | None
    location: str | None
    quantity: float | None
    expiry: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "lot": self.lot_code,
            "gtin": self.gtin,
            "location": self.location,
            "quantity": self.quantity,
            "expiry": self.expiry,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    level: Level
    message: str
    reasons: tuple[Reason, ...] = ()
    suggestion: Suggestion | None = None
    event_ids: tuple[str, ...] = ()
    overridden: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def recorded(self) -> bool:
        return bool(self.event_ids)

    @property
    def other_lot(self) -> Suggestion | None:
        """The FEFO suggestion when it names another lot than the one the message speaks of.
        The scanned lot's own line would repeat the message with its stock from before the scan."""
        s = self.suggestion
        return s if s is not None and s.lot_code not in self.message else None

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.level.value,
            "reasons": [r.to_json() for r in self.reasons],
            "message": self.message,
            "event_ids": list(self.event_ids),
            "suggestion": self.suggestion.to_json() if self.suggestion else None,
            "overridden": self.overridden,
            "details": self.details,
        }
