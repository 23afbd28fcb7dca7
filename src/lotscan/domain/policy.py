"""Per-site policy: which reasons warn and which reject, and which an override may pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level

DEFAULT_LEVELS: dict[ReasonCode, Level] = {
    ReasonCode.NOT_FEFO: Level.WARNING,
    # A blocked lot moved out of the hold area is recorded (it did move) and said (tester W18).
    ReasonCode.LOT_OUT_OF_HOLD: Level.WARNING,
    ReasonCode.SHORT_SHELF_LIFE: Level.WARNING,
    ReasonCode.SUSPICIOUS_LOT: Level.WARNING,
    ReasonCode.QTY_EXCEEDS_STOCK: Level.WARNING,
    ReasonCode.MISSING_EXPIRY: Level.WARNING,
    ReasonCode.NO_INPUTS: Level.WARNING,
    ReasonCode.INPUTS_MISSING: Level.WARNING,
    ReasonCode.INPUTS_OF_THE_ORDER: Level.WARNING,
    ReasonCode.QTY_DIFFERS_FROM_LABEL: Level.WARNING,
    ReasonCode.LABEL_COUNT_WEIGHT_DIFFER: Level.WARNING,
    ReasonCode.STOCK_BELOW_ZERO: Level.WARNING,
    ReasonCode.LOT_NOT_ANNOUNCED: Level.WARNING,
    # A count records the shelf as it is; a lot never received, or expired, is said (tester W23).
    ReasonCode.LOT_NOT_RECEIVED: Level.WARNING,
    ReasonCode.EXPIRED_COUNTED: Level.WARNING,
    # An expired lot moved anywhere but a hold area is recorded (it did move) and said, as a
    # blocked lot's move is (LOT_OUT_OF_HOLD); using it stays refused (LOT_EXPIRED).
    ReasonCode.EXPIRED_MOVED: Level.WARNING,
    # The earlier date is judged (label or records; (17) or (7003)); a site may refuse instead.
    ReasonCode.EXPIRY_DIFFERS: Level.WARNING,
    ReasonCode.LABEL_EXPIRIES_DIFFER: Level.WARNING,
    ReasonCode.SUPPLIER_DIFFERS: Level.WARNING,
}
DEFAULT_OVERRIDABLE: frozenset[ReasonCode] = frozenset(
    {
        ReasonCode.NOT_FEFO,
        ReasonCode.SHORT_SHELF_LIFE,
        ReasonCode.QTY_EXCEEDS_STOCK,
        ReasonCode.QTY_EXCEEDS_TASK,
        ReasonCode.MISSING_LOT,
        ReasonCode.DUPLICATE_SCAN,
    }
)
DEFAULT_OVERRIDE_REASONS: tuple[str, ...] = (
    "SUPERVISOR_APPROVED",
    "CUSTOMER_REQUEST",
    "DAMAGED_FEFO_LOT",
    "FEFO_LOT_NOT_FOUND",
    "QUALITY_APPROVED",
)

# A lot's status and expiry are decided for the whole company (a recall, a hold or a
# quarantine is lifted only at central or by a supervisor's release; issue 9): no site's
# settings may let a station accept or override them.
ALWAYS_REFUSED: dict[ReasonCode, str] = {
    ReasonCode.LOT_RECALLED: "a recall is lifted only at central",
    ReasonCode.LOT_REJECTED: "a rejection is lifted only at central",
    ReasonCode.LOT_ON_HOLD: "a supervisor releases the lot first",
    ReasonCode.LOT_QUARANTINED: "a supervisor releases the lot first",
    ReasonCode.LOT_EXPIRED: "an expired lot is never used",
}

# Stock taken from a place the records say holds none of the lot (tester X5: a supervisor's
# override of an over-pick took 1 EA from FG-B01 and booked it at -1, while the lot's real
# places kept stock they no longer had): two wrong records, and the trace of the lot is lost.
# If the goods really are there, a count of the place records them, with who and when; then
# the scan passes. No site's settings may let an override do it instead.
NEVER_OVERRIDDEN: dict[ReasonCode, str] = {
    ReasonCode.WRONG_LOCATION: "count the place first, or take the lot from where it is recorded",
    ReasonCode.NO_STOCK: "count the place first",
}


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    levels: Mapping[ReasonCode, Level] = field(default_factory=lambda: dict(DEFAULT_LEVELS))
    overridable: frozenset[ReasonCode] = DEFAULT_OVERRIDABLE
    override_reasons: tuple[str, ...] = DEFAULT_OVERRIDE_REASONS
    duplicate_window_s: float = 1.5
    # A label's GTIN barcode and its lot barcode scanned within this many seconds are one reading.
    split_label_window_s: float = 3.0
    require_pin: bool = False
    idle_signout_s: int = 600
    # After this many wrong PINs in a row a badge is locked for pin_lockout_s (0 = not locked).
    pin_tries: int = 3
    pin_lockout_s: int = 300

    def level_of(self, code: ReasonCode) -> Level:
        return self.levels.get(code, Level.REJECTED)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Policy:
        """Build from the `[policy]` table of station.toml. Unknown codes are refused by name, and
        each value must have its key's type: `require_pin = "false"` is a mistake, not true."""
        levels = dict(DEFAULT_LEVELS)
        for code_name, word in _typed(data, "levels", dict, "a table of CODE = level", {}).items():
            code = _code(code_name)
            try:
                levels[code] = Level(str(word).upper())
            except ValueError as exc:
                raise PolicyError(
                    f"policy.levels.{code_name} = {word!r}: use WARNING, REJECTED or ACCEPTED"
                ) from exc
            if code in ALWAYS_REFUSED and levels[code] is not Level.REJECTED:
                raise PolicyError(
                    f"policy.levels.{code_name} = {word!r}: {code.value} is always REJECTED at a "
                    f"station ({ALWAYS_REFUSED[code]}); remove the line"
                )
        overridable = frozenset(
            _code(c) for c in _typed(data, "overridable", list, "a list of codes", cls.overridable)
        )
        never = {**ALWAYS_REFUSED, **NEVER_OVERRIDDEN}
        if fixed := sorted(c.value for c in overridable & never.keys()):
            why = "; ".join(f"{c}: {never[ReasonCode(c)]}" for c in fixed)
            raise PolicyError(
                f"policy.overridable lists {', '.join(fixed)}: no override passes them at a station "
                f"({why}); remove {'it' if len(fixed) == 1 else 'them'}"
            )
        reasons = tuple(
            str(r) for r in _typed(data, "override_reasons", list, "a list of words", cls.override_reasons)
        )
        window = _typed(data, "duplicate_window_s", (int, float), "seconds", cls.duplicate_window_s)
        return cls(
            levels=levels,
            overridable=overridable,
            override_reasons=reasons,
            duplicate_window_s=float(window),
            split_label_window_s=float(
                _typed(data, "split_label_window_s", (int, float), "seconds", cls.split_label_window_s)
            ),
            require_pin=_typed(data, "require_pin", bool, "true or false", cls.require_pin),
            idle_signout_s=_typed(data, "idle_signout_s", int, "whole seconds", cls.idle_signout_s),
            pin_tries=_typed(data, "pin_tries", int, "a whole number", cls.pin_tries),
            pin_lockout_s=_typed(data, "pin_lockout_s", int, "whole seconds", cls.pin_lockout_s),
        )


def _typed(data: Mapping[str, object], key: str, kind: Any, what: str, default: Any) -> Any:
    """data[key] if it has the type `kind` (bool is not a number here), else PolicyError."""
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise PolicyError(f"policy.{key} = {value!r}: must be {what}")
    return value


def _code(name: object) -> ReasonCode:
    try:
        return ReasonCode(str(name).upper())
    except ValueError as exc:
        known = ", ".join(c.value for c in ReasonCode)
        raise PolicyError(f"unknown reason code {name!r} in policy; known codes: {known}") from exc
