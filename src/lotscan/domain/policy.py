"""Per-site policy: which reasons warn and which reject, and which an override may pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level

DEFAULT_LEVELS: dict[ReasonCode, Level] = {
    ReasonCode.NOT_FEFO: Level.WARNING,
    ReasonCode.SHORT_SHELF_LIFE: Level.WARNING,
    ReasonCode.SUSPICIOUS_LOT: Level.WARNING,
    ReasonCode.QTY_EXCEEDS_STOCK: Level.WARNING,
    ReasonCode.MISSING_EXPIRY: Level.WARNING,
}
DEFAULT_OVERRIDABLE: frozenset[ReasonCode] = frozenset(
    {
        ReasonCode.NOT_FEFO,
        ReasonCode.SHORT_SHELF_LIFE,
        ReasonCode.QTY_EXCEEDS_STOCK,
        ReasonCode.QTY_EXCEEDS_TASK,
        ReasonCode.WRONG_LOCATION,
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


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    levels: Mapping[ReasonCode, Level] = field(default_factory=lambda: dict(DEFAULT_LEVELS))
    overridable: frozenset[ReasonCode] = DEFAULT_OVERRIDABLE
    override_reasons: tuple[str, ...] = DEFAULT_OVERRIDE_REASONS
    duplicate_window_s: float = 1.5
    require_pin: bool = False
    idle_signout_s: int = 600

    def level_of(self, code: ReasonCode) -> Level:
        return self.levels.get(code, Level.REJECTED)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Policy:
        """Build from the `[policy]` table of station.toml; unknown codes are refused by name."""
        levels = dict(DEFAULT_LEVELS)
        for code_name, word in dict(data.get("levels", {})).items():  # type: ignore[call-overload]
            code = _code(code_name)
            try:
                levels[code] = Level(str(word).upper())
            except ValueError as exc:
                raise PolicyError(
                    f"policy.levels.{code_name} = {word!r}: use WARNING, REJECTED or ACCEPTED"
                ) from exc
        overridable = DEFAULT_OVERRIDABLE
        if "overridable" in data:
            overridable = frozenset(_code(c) for c in data["overridable"])  # type: ignore[union-attr]
        reasons = tuple(str(r) for r in data.get("override_reasons", DEFAULT_OVERRIDE_REASONS))  # type: ignore[union-attr]
        return cls(
            levels=levels,
            overridable=overridable,
            override_reasons=reasons,
            duplicate_window_s=float(data.get("duplicate_window_s", 1.5)),  # type: ignore[arg-type]
            require_pin=bool(data.get("require_pin", False)),
            idle_signout_s=int(data.get("idle_signout_s", 600)),  # type: ignore[call-overload]
        )


def _code(name: object) -> ReasonCode:
    try:
        return ReasonCode(str(name).upper())
    except ValueError as exc:
        known = ", ".join(c.value for c in ReasonCode)
        raise PolicyError(f"unknown reason code {name!r} in policy; known codes: {known}") from exc
