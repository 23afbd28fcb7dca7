"""Lot numbers for what we make, from a configurable pattern, always fit for a GS1 label.

Tokens: {date:FMT} (strftime), {line}, {item}, {station}, {seq:0N}. The sequence counts per
rendered prefix on one station. Stations working offline cannot see each other's counters, so a
pattern without {station} gets "-{station}" appended: two stations never make the same number.

Every number must be printable as GS1 AI (10), "batch or lot number", format X..20: at most 20
characters of GS1 character set 82 (GS1 General Specifications 3.2, 7.11 figure 7.11-1).
``check_lot_pattern`` refuses, when the settings load, a pattern that could break that.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# Julian date (yy + day of year) and a 3-digit sequence: "26332001-PLANT1-ST01" is 20.
DEFAULT_PATTERN = "{date:%y%j}{seq:03}-{station}"
LOT_MAX_LENGTH = 20  # GS1 General Specifications 3.2: AI (10) X..20
# GS1 General Specifications 7.11, figure 7.11-1: character set 82.
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_CSET82 = frozenset(CSET82)
_ALLOWED = {"date", "line", "item", "station", "seq"}
# What {station} can take in the default pattern: 20 - len("26332") - len("001") - len("-").
STATION_PART_MAX = 11
# A {seq} with no width ("{seq}") must number at least this many lots a day within 20 characters.
SEQ_MIN_CAPACITY = 999
_LONG_ITEM = "W" * 100
# Python's format-spec mini-language: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_FORMAT_SPEC = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>[0-9]+)?[,_]?(?:\.[0-9]+)?[bcdeEfFgGnosxX%]?", re.DOTALL
)


class LotPatternError(ValueError):
    pass


@dataclass(frozen=True)
class LotPattern:
    pattern: str

    def __post_init__(self) -> None:
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(self.pattern) if name}
        except ValueError as exc:  # "{seq:03": an unclosed or stray brace
            raise LotPatternError(self._unreadable(exc)) from None
        unknown = fields - _ALLOWED
        if unknown:
            raise LotPatternError(
                f"lot pattern {self.pattern!r} uses unknown field(s) {sorted(unknown)}; "
                f"allowed: {sorted(_ALLOWED)}"
            )
        if "seq" not in fields:
            raise LotPatternError(f"lot pattern {self.pattern!r} needs a {{seq}} field")
        try:  # a format a field cannot take ("{seq:%y}", "{date:03}") fails only when rendered
            self.render(day=date(2028, 1, 1), line="L1", item="X", station="ST-01", seq=1)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            raise LotPatternError(self._unreadable(exc)) from None

    def _unreadable(self, exc: Exception) -> str:
        return (
            f"lot pattern {self.pattern!r} cannot be read ({exc}); write each field in braces with "
            f"its format after a colon, e.g. pattern = {DEFAULT_PATTERN!r}"
        )

    @property
    def effective(self) -> str:
        return self.pattern if "{station" in self.pattern else self.pattern + "-{station}"

    def prefix_key(self, *, day: date, line: str, item: str, station: str) -> str:
        """Everything the pattern renders except the sequence: the counter's key."""
        return self.effective.format(date=day, line=line, item=item, station=station, seq=_Keep())

    def render(self, *, day: date, line: str, item: str, station: str, seq: int) -> str:
        """The lot number, exactly as the pattern makes it: nothing is dropped or changed (a
        pattern that would make a space is refused when the settings load)."""
        return self.effective.format(date=day, line=line, item=item, station=station, seq=seq)

    @property
    def seq_width(self) -> int | None:
        """The digits the pattern gives the sequence ({seq:03}: 3), None when it pads none ({seq})."""
        spec = next((spec for name, spec in _fields(self.effective) if name == "seq"), "")
        # The width written in the spec, not the length of a rendered 1: `{seq:01}` gives one
        # digit (nine lots a day), as `{seq}` gives none (tester tz, Z12).
        written = _FORMAT_SPEC.fullmatch(spec)
        return int(written["width"]) if written and written["width"] else None


def station_part_candidates(name: str, number: int) -> Iterator[str]:
    """The short, company-wide unique part central gives a station for its lot numbers (the
    {station} field), best first: the station's name when it fits STATION_PART_MAX characters of
    set 82 (``PLANT1-ST01``), else ``ST`` and the station's number at central (``ST12``), then
    variants of it. Central takes the first one no other station holds."""
    if 0 < len(name) <= STATION_PART_MAX and all(char in _CSET82 for char in name):
        yield name
    yield f"ST{number}"
    for n in itertools.count(2):
        yield f"ST{number}-{n}"


def lot_number_problem(code: str) -> str | None:
    """Why ``code`` cannot be a GS1 lot number (AI 10), or None when it can."""
    if not code:
        return "it is empty"
    if len(code) > LOT_MAX_LENGTH:
        return f"{code!r} has {len(code)} characters; GS1 allows {LOT_MAX_LENGTH}"
    bad = sorted({char for char in code if char not in _CSET82})
    if bad:
        return f"{code!r} has {''.join(bad)!r}, outside GS1 character set 82"
    return None


def check_lot_pattern(pattern: LotPattern, *, station: str, line: str) -> None:
    """Refuse a pattern that could, for this station and line, make a lot number a GS1 label
    cannot carry: longer than 20 characters or outside set 82. Raises LotPatternError naming
    the longest or bad number it would make and the fix."""
    for name, spec in _fields(pattern.effective):
        if name == "item" and len(format(_LONG_ITEM, spec)) >= len(_LONG_ITEM):
            raise LotPatternError(
                f"lot pattern {pattern.pattern!r}: {{item}} can be any length, so a lot number "
                "could pass GS1's 20 characters; give it a maximum, e.g. {item:.4}"
            )
    _refuse_station_touching_an_unpadded_seq(pattern)
    _refuse_a_sequence_of_no_digits_or_one_that_widens(pattern)
    literal = "".join(text for text, _, _, _ in string.Formatter().parse(pattern.effective))
    bad_literal = sorted({char for char in literal if char not in _CSET82})
    if bad_literal:  # tester's #13a: a space was silently dropped from every lot number
        raise LotPatternError(
            f"lot pattern {pattern.pattern!r} has {_shown(bad_literal)}, outside GS1 character set 82 "
            f"(letters, digits and {_PUNCTUATION}); remove or replace it"
        )
    worst_seq = sequence_capacity(pattern, station=station, line=line)
    # The first lot of a day too: a width padded with spaces (`{seq:3}`: "  1") is all digits
    # only at the last.
    codes = [
        pattern.render(day=day, line=line, item=_LONG_ITEM, station=station, seq=seq)
        for seq in (worst_seq, 1)
        for day in _every_day_of_a_leap_year()
    ]
    for code in codes:
        bad = sorted({char for char in code if char not in _CSET82})
        if bad:
            raise LotPatternError(
                f"lot pattern {pattern.pattern!r} would make {code!r} on station {station!r}, "
                f"line {line!r}: {_shown(bad)} is outside GS1 character set 82"
            )
    longest = max(codes, key=len)
    if len(longest) > LOT_MAX_LENGTH:
        raise LotPatternError(
            f"lot pattern {pattern.pattern!r} would make lot numbers of up to {len(longest)} "
            f"characters (e.g. {longest!r}, lot {worst_seq} of a day, on station {station!r}, "
            f"line {line!r}); GS1 AI (10) "
            f"allows {LOT_MAX_LENGTH}. {_shorten(pattern, station=station, line=line)}"
        )


def _refuse_station_touching_an_unpadded_seq(pattern: LotPattern) -> None:
    """Stations numbering lots offline never make the same number: with nothing between
    {station} and a {seq} of no width, the 11th lot of station ST1 and the 1st of ST11 are both
    ST111 (central names stations ST1, ST11, ...; `{seq}{station}` does the same to a station part
    that starts with a digit)."""
    parts = list(string.Formatter().parse(pattern.effective))
    for (_, before, _, _), (between, after, _, _) in itertools.pairwise(parts):
        if between == "" and {before, after} == {"station", "seq"} and pattern.seq_width is None:
            raise LotPatternError(
                f"lot pattern {pattern.pattern!r}: {{station}} and {{seq}} touch, so two stations "
                "could make the same lot number (lot 11 of ST1 and lot 1 of ST11 both read ST111); "
                "put a character between them, e.g. '{station}-{seq}', or give {seq} a width, "
                "e.g. {seq:03}"
            )


def _refuse_a_sequence_of_no_digits_or_one_that_widens(pattern: LotPattern) -> None:
    """`{seq:0N}` numbers up to N digits a day, never widened (tester tz2, A2): `{seq:00}` numbers
    no lot at all (every produce refused LOT_NUMBERS_USED_UP), and a sign or grouping takes
    characters of the width (`{seq:+02}` made '+10' after '+9'). Both are refused at load."""
    width = pattern.seq_width
    if width is None:
        return
    spec = next(spec for name, spec in _fields(pattern.effective) if name == "seq")
    if width == 0:
        raise LotPatternError(
            f"lot pattern {pattern.pattern!r}: {{seq:{spec}}} gives the sequence no digits, so it "
            "would number no lot at all; give it a width, e.g. {seq:03}"
        )
    last = sequence_capacity(pattern, station="", line="")
    said = format(last, spec)
    if len(said) > width:
        raise LotPatternError(
            f"lot pattern {pattern.pattern!r}: {{seq:{spec}}} has {width} characters, but lot {last} "
            f"of a day would read {said!r}, {len(said)}: the sequence would widen past its width "
            "(lot numbers of one length no more); write it as digits only, e.g. {seq:03}"
        )


def _shorten(pattern: LotPattern, *, station: str, line: str) -> str:
    """The fix for a pattern too long here: the station's id when even the default is too long
    with it (tester's #20 was told to use the very pattern that failed), else the pattern."""
    default = LotPattern(DEFAULT_PATTERN)
    widest = max(
        (
            default.render(day=day, line=line, item="", station=station, seq=SEQ_MIN_CAPACITY)
            for day in _every_day_of_a_leap_year()
        ),
        key=len,
    )
    if pattern.pattern == DEFAULT_PATTERN or len(widest) > LOT_MAX_LENGTH:
        return f"Shorten the station id {station!r}: it is the {{station}} part of each lot number"
    return f"Shorten it, e.g. {DEFAULT_PATTERN!r}"


@lru_cache(maxsize=64)
def sequence_capacity(pattern: LotPattern, *, station: str, line: str) -> int:
    """The most lots a day the pattern numbers on this station and line; the settings check and
    the lot-number generator both go by it (tester's #20: the check assumed 999 whatever the
    pattern). {seq:0N}: 10**N - 1, its promise of N digits (the check then refuses the pattern
    if that number does not fit 20 characters). {seq} with no width: the largest all-nines
    number of digits that keeps every day's lot within 20 characters, at least SEQ_MIN_CAPACITY
    (when even that does not fit, the check refuses the pattern)."""
    width = pattern.seq_width
    if width is not None:
        return int(10**width - 1)
    digits = len(str(SEQ_MIN_CAPACITY))
    while (
        digits < LOT_MAX_LENGTH and _longest(pattern, station, line, 10 ** (digits + 1) - 1) <= LOT_MAX_LENGTH
    ):
        digits += 1
    return int(10**digits - 1)


def _longest(pattern: LotPattern, station: str, line: str, seq: int) -> int:
    return max(
        len(pattern.render(day=day, line=line, item=_LONG_ITEM, station=station, seq=seq))
        for day in _every_day_of_a_leap_year()
    )


_PUNCTUATION = "".join(char for char in CSET82 if not char.isalnum())


def _shown(chars: list[str]) -> str:
    return ", ".join("a space" if char == " " else repr(char) for char in chars)


def _fields(pattern: str) -> list[tuple[str, str]]:
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(pattern) if name]


def _every_day_of_a_leap_year() -> list[date]:
    first = date(2028, 1, 1)
    return [first + timedelta(days=n) for n in range(366)]


class _Keep:
    def __format__(self, spec: str) -> str:
        return "#"
