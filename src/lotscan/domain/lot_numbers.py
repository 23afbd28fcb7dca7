"""Lot numbers for what we make, from a configurable pattern.

Tokens: {date:FMT} (strftime), {line}, {item}, {station}, {seq:0N}. The sequence counts per
rendered prefix on one station. Stations working offline cannot see each other's counters, so a
pattern without {station} gets "-{station}" appended: two stations never make the same number.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date

DEFAULT_PATTERN = "{date:%Y%m%d}-{line}-{seq:03}"
_ALLOWED = {"date", "line", "item", "station", "seq"}


class LotPatternError(ValueError):
    pass


@dataclass(frozen=True)
class LotPattern:
    pattern: str

    def __post_init__(self) -> None:
        fields = {name for _, name, _, _ in string.Formatter().parse(self.pattern) if name}
        unknown = fields - _ALLOWED
        if unknown:
            raise LotPatternError(
                f"lot pattern {self.pattern!r} uses unknown field(s) {sorted(unknown)}; "
                f"allowed: {sorted(_ALLOWED)}"
            )
        if "seq" not in fields:
            raise LotPatternError(f"lot pattern {self.pattern!r} needs a {{seq}} field")

    @property
    def effective(self) -> str:
        return self.pattern if "{station" in self.pattern else self.pattern + "-{station}"

    def prefix_key(self, *, day: date, line: str, item: str, station: str) -> str:
        """Everything the pattern renders except the sequence: the counter's key."""
        return self.effective.format(date=day, line=line, item=item, station=station, seq=_Keep())

    def render(self, *, day: date, line: str, item: str, station: str, seq: int) -> str:
        text = self.effective.format(date=day, line=line, item=item, station=station, seq=seq)
        return re.sub(r"\s+", "", text)


class _Keep:
    def __format__(self, spec: str) -> str:
        return "#"
