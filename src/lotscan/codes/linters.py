"""Content checks ("linters") applied to one component of a GS1 AI value.

Each linter takes the component text and returns None when it is fine, or a ``LintError``
naming the problem (the GS1 Syntax Engine's error name, so results can be compared with its
test vectors) and the offending span inside the component.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from lotscan.domain.lot_numbers import CSET82

CSET39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CSET64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_CSET82_SET = frozenset(CSET82)
_CSET39_SET = frozenset(CSET39)
_CSET64_SET = frozenset(CSET64)
_DIGITS = frozenset("0123456789")
_CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CSUMALPHA_PRIMES = (
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
    89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179,
    181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LintError:
    error: str  # e.g. GS1_LINTER_INCORRECT_CHECK_DIGIT
    start: int
    end: int


Linter = Callable[[str], LintError | None]


def _whole(value: str, error: str) -> LintError:
    return LintError(error, 0, len(value))


def _first_outside(value: str, allowed: frozenset[str]) -> int | None:
    if allowed.issuperset(value):  # the usual case, without a loop in Python
        return None
    for index, char in enumerate(value):
        if char not in allowed:
            return index
    return None


def _too(name: str, value: str, size: int) -> str:
    return f"GS1_LINTER_{name}_TOO_{'SHORT' if len(value) < size else 'LONG'}"


def _non_digit(value: str) -> LintError | None:
    bad = _first_outside(value, _DIGITS)
    if bad is None:
        return None
    return LintError("GS1_LINTER_NON_DIGIT_CHARACTER", bad, bad + 1)


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for ``digits`` (the payload without its check digit)."""
    if digits.isascii():  # byte sums instead of a loop in Python; same arithmetic
        back = digits[::-1].encode("ascii")
        odd, even = back[0::2], back[1::2]
        total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
        return (10 - total % 10) % 10
    total = 0
    for index, char in enumerate(reversed(digits)):
        total += (ord(char) - 48) * (3 if index % 2 == 0 else 1)
    return (10 - total % 10) % 10


def csum(value: str) -> LintError | None:
    if not value:
        return _whole(value, "GS1_LINTER_TOO_SHORT_FOR_CHECK_DIGIT")
    if error := _non_digit(value):
        return error
    if gs1_check_digit(value[:-1]) != ord(value[-1]) - 48:
        return LintError("GS1_LINTER_INCORRECT_CHECK_DIGIT", len(value) - 1, len(value))
    return None


def csumalpha(value: str) -> LintError | None:
    """The check-character pair of a GMN (AI 8013): weighted sum mod 1021 in base 32."""
    if len(value) < 2:
        return _whole(value, "GS1_LINTER_TOO_SHORT_FOR_CHECK_PAIR")
    if len(value) > len(_CSUMALPHA_PRIMES) + 2:
        return _whole(value, "GS1_LINTER_TOO_LONG_FOR_CHECK_PAIR_IMPLEMENTATION")
    body, pair = value[:-2], value[-2:]
    bad = _first_outside(body, _CSET82_SET)
    if bad is not None:
        return LintError("GS1_LINTER_INVALID_CSET82_CHARACTER", bad, bad + 1)
    total = 0
    for index, char in enumerate(reversed(body)):
        total += CSET82.index(char) * _CSUMALPHA_PRIMES[index]
    total %= 1021
    if pair != _CSET32[total // 32] + _CSET32[total % 32]:
        return LintError("GS1_LINTER_INCORRECT_CHECK_PAIR", len(body), len(value))
    return None


def _date(value: str, year_digits: int, day_zero: bool) -> LintError | None:
    size = year_digits + 4
    if error := _non_digit(value):
        return error
    if len(value) < size:
        return _whole(value, "GS1_LINTER_DATE_TOO_SHORT")
    if len(value) > size:
        return _whole(value, "GS1_LINTER_DATE_TOO_LONG")
    year = int(value[:year_digits])
    month = int(value[year_digits : year_digits + 2])
    day = int(value[year_digits + 2 :])
    if not 1 <= month <= 12:
        return LintError("GS1_LINTER_ILLEGAL_MONTH", year_digits, year_digits + 2)
    # Two-digit years: leap years repeat every 4 years across the whole -49/+50 window
    # (2000 is leap, 2100 would not be; irrelevant until 2051).
    leap = year % 4 == 0 if year_digits == 2 else calendar.isleap(year)
    last = 29 if month == 2 and leap else calendar.monthrange(2001, month)[1]
    if day > last or (day == 0 and not day_zero):
        return LintError("GS1_LINTER_ILLEGAL_DAY", year_digits + 2, size)
    return None


def yymmd0(value: str) -> LintError | None:
    return _date(value, 2, True)


def yymmdd(value: str) -> LintError | None:
    return _date(value, 2, False)


def yyyymmd0(value: str) -> LintError | None:
    return _date(value, 4, True)


def yyyymmdd(value: str) -> LintError | None:
    return _date(value, 4, False)


def hh(value: str) -> LintError | None:
    if error := _non_digit(value):
        return error
    if len(value) != 2:
        return _whole(value, _too("HOUR", value, 2))
    return None if int(value) <= 23 else _whole(value, "GS1_LINTER_ILLEGAL_HOUR")


def mi(value: str) -> LintError | None:
    if error := _non_digit(value):
        return error
    if len(value) != 2:
        return _whole(value, _too("MINUTE", value, 2))
    return None if int(value) <= 59 else _whole(value, "GS1_LINTER_ILLEGAL_MINUTE")


def ss(value: str) -> LintError | None:
    if error := _non_digit(value):
        return error
    if len(value) != 2:
        return _whole(value, _too("SECOND", value, 2))
    return None if int(value) <= 59 else _whole(value, "GS1_LINTER_ILLEGAL_SECOND")


def hhmi(value: str) -> LintError | None:
    if error := _non_digit(value):
        return error
    if len(value) != 4:
        return _whole(value, _too("HOUR_WITH_MINUTE", value, 4))
    if int(value[:2]) > 23:
        return LintError("GS1_LINTER_ILLEGAL_HOUR", 0, 2)
    if int(value[2:]) > 59:
        return LintError("GS1_LINTER_ILLEGAL_MINUTE", 2, 4)
    return None


def cset82(value: str) -> LintError | None:
    bad = _first_outside(value, _CSET82_SET)
    return None if bad is None else LintError("GS1_LINTER_INVALID_CSET82_CHARACTER", bad, bad + 1)


def cset39(value: str) -> LintError | None:
    bad = _first_outside(value, _CSET39_SET)
    return None if bad is None else LintError("GS1_LINTER_INVALID_CSET39_CHARACTER", bad, bad + 1)


def cset64(value: str) -> LintError | None:
    """base64url, optionally padded with up to two '=' at the end."""
    body = value.rstrip("=")
    padding = len(value) - len(body)
    bad = _first_outside(body, _CSET64_SET)
    if bad is not None:
        return LintError("GS1_LINTER_INVALID_CSET64_CHARACTER", bad, bad + 1)
    if padding and (padding > 2 or len(value) % 3 != 0):
        return LintError("GS1_LINTER_INVALID_CSET64_PADDING", len(body), len(value))
    return None


def csetnumeric(value: str) -> LintError | None:
    return _non_digit(value)


def zero(value: str) -> LintError | None:
    return None if value and set(value) == {"0"} else _whole(value, "GS1_LINTER_NOT_ZERO")


def nonzero(value: str) -> LintError | None:
    if error := _non_digit(value):
        return error
    return None if value.strip("0") else _whole(value, "GS1_LINTER_ILLEGAL_ZERO_VALUE")


def nozeroprefix(value: str) -> LintError | None:
    if error := _non_digit(value):
        return error
    if value.startswith("0"):
        return LintError("GS1_LINTER_ILLEGAL_ZERO_PREFIX", 0, 1)
    return None


def hasnondigit(value: str) -> LintError | None:
    if _first_outside(value, _DIGITS) is None:
        return _whole(value, "GS1_LINTER_REQUIRES_NON_DIGIT_CHARACTER")
    return None


def hyphen(value: str) -> LintError | None:
    return None if value and set(value) == {"-"} else _whole(value, "GS1_LINTER_NOT_HYPHEN")


def yesno(value: str) -> LintError | None:
    return None if value in ("0", "1") else _whole(value, "GS1_LINTER_NOT_ZERO_OR_ONE")


def winding(value: str) -> LintError | None:
    if value in ("0", "1", "9"):
        return None
    return _whole(value, "GS1_LINTER_INVALID_WINDING_DIRECTION")


def iso5218(value: str) -> LintError | None:
    return None if value in ("0", "1", "2", "9") else _whole(value, "GS1_LINTER_INVALID_BIOLOGICAL_SEX_CODE")


def mediatype(value: str) -> LintError | None:
    if len(value) == 2 and value.isdigit() and (1 <= int(value) <= 10 or int(value) >= 80):
        return None
    return _whole(value, "GS1_LINTER_INVALID_MEDIA_TYPE")


def importeridx(value: str) -> LintError | None:
    if len(value) != 1:
        return _whole(value, "GS1_LINTER_IMPORTER_IDX_MUST_BE_ONE_CHARACTER")
    if value in _CSET64_SET:
        return None
    return _whole(value, "GS1_LINTER_INVALID_IMPORT_IDX_CHARACTER")


def pieceoftotal(value: str) -> LintError | None:
    if error := _non_digit(value):
        return error
    if not value or len(value) % 2:
        return _whole(value, "GS1_LINTER_INVALID_LENGTH_FOR_PIECE_OF_TOTAL")
    half = len(value) // 2
    piece, total = int(value[:half]), int(value[half:])
    if piece == 0:
        return LintError("GS1_LINTER_ZERO_PIECE_NUMBER", 0, half)
    if total == 0:
        return LintError("GS1_LINTER_ZERO_TOTAL_PIECES", half, len(value))
    if piece > total:
        return _whole(value, "GS1_LINTER_PIECE_NUMBER_EXCEEDS_TOTAL")
    return None


def posinseqslash(value: str) -> LintError | None:
    position, slash, total = value.partition("/")
    if not slash or "/" in total:
        return _whole(value, "GS1_LINTER_POSITION_IN_SEQUENCE_MALFORMED")
    if not position or not total or not (position + total).isdigit():
        return _whole(value, "GS1_LINTER_POSITION_IN_SEQUENCE_MALFORMED")
    if position.startswith("0"):
        return LintError("GS1_LINTER_ILLEGAL_ZERO_PREFIX", 0, len(position))
    if total.startswith("0"):
        return LintError("GS1_LINTER_ILLEGAL_ZERO_PREFIX", len(position) + 1, len(value))
    if int(position) > int(total):
        return _whole(value, "GS1_LINTER_POSITION_EXCEEDS_END")
    return None


def _coordinate(value: str, limit: int, name: str) -> LintError | None:
    if len(value) != 10:
        return _whole(value, f"GS1_LINTER_{name}_INVALID_LENGTH")
    if error := _non_digit(value):
        return error
    if int(value) > limit:
        return _whole(value, f"GS1_LINTER_INVALID_{name}")
    return None


def latitude(value: str) -> LintError | None:
    return _coordinate(value, 1_800_000_000, "LATITUDE")


def longitude(value: str) -> LintError | None:
    return _coordinate(value, 3_600_000_000, "LONGITUDE")


def pcenc(value: str) -> LintError | None:
    index = value.find("%")
    while index != -1:
        escape = value[index + 1 : index + 3]
        if len(escape) < 2 or any(c not in "0123456789ABCDEFabcdef" for c in escape):
            return LintError("GS1_LINTER_INVALID_PERCENT_SEQUENCE", index, index + 1 + len(escape))
        index = value.find("%", index + 3)
    return None


def iban(value: str) -> LintError | None:
    if len(value) < 5:
        return _whole(value, "GS1_LINTER_IBAN_TOO_SHORT")
    if len(value) > 34:
        return _whole(value, "GS1_LINTER_IBAN_TOO_LONG")
    bad = _first_outside(value, frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if bad is not None:
        return LintError("GS1_LINTER_INVALID_IBAN_CHARACTER", bad, bad + 1)
    if value[:2] not in _iso3166_alpha2():
        return LintError("GS1_LINTER_ILLEGAL_IBAN_COUNTRY_CODE", 0, 2)
    rotated = value[4:] + value[:4]
    if int("".join(str(int(c, 36)) for c in rotated)) % 97 != 1:
        return LintError("GS1_LINTER_INCORRECT_IBAN_CHECKSUM", 2, 4)
    return None


@cache
def _iso3166_numeric() -> frozenset[str]:
    import pycountry

    return frozenset(country.numeric for country in pycountry.countries)


@cache
def _iso3166_alpha2() -> frozenset[str]:
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _iso4217_numeric() -> frozenset[str]:
    import pycountry

    # 975 (BGN) left ISO 4217's current list with the 2026 euro changeover; labels printed
    # before it are still in circulation and GS1's own list keeps it.
    return frozenset(currency.numeric for currency in pycountry.currencies) | {"975"}


def iso3166(value: str) -> LintError | None:
    return None if value in _iso3166_numeric() else _whole(value, "GS1_LINTER_NOT_ISO3166")


def iso3166999(value: str) -> LintError | None:
    if value == "999" or value in _iso3166_numeric():
        return None
    return _whole(value, "GS1_LINTER_NOT_ISO3166_OR_999")


def iso3166alpha2(value: str) -> LintError | None:
    return None if value in _iso3166_alpha2() else _whole(value, "GS1_LINTER_NOT_ISO3166_ALPHA2")


def iso4217(value: str) -> LintError | None:
    return None if value in _iso4217_numeric() else _whole(value, "GS1_LINTER_NOT_ISO4217")


def gcppos(value: str) -> LintError | None:
    """A GS1 Company Prefix starts here. Checking it needs GS1's online prefix data source,
    which a station does not have: like the Syntax Engine without a data source, accept."""
    return None


LINTERS: dict[str, Linter] = {
    "csum": csum,
    "csumalpha": csumalpha,
    "yymmd0": yymmd0,
    "yymmdd": yymmdd,
    "yyyymmd0": yyyymmd0,
    "yyyymmdd": yyyymmdd,
    "hh": hh,
    "mi": mi,
    "ss": ss,
    "hhmi": hhmi,
    "cset82": cset82,
    "cset39": cset39,
    "cset64": cset64,
    "csetnumeric": csetnumeric,
    "zero": zero,
    "nonzero": nonzero,
    "nozeroprefix": nozeroprefix,
    "hasnondigit": hasnondigit,
    "hyphen": hyphen,
    "yesno": yesno,
    "winding": winding,
    "iso5218": iso5218,
    "mediatype": mediatype,
    "importeridx": importeridx,
    "pieceoftotal": pieceoftotal,
    "posinseqslash": posinseqslash,
    "latitude": latitude,
    "longitude": longitude,
    "pcenc": pcenc,
    "iban": iban,
    "iso3166": iso3166,
    "iso3166999": iso3166999,
    "iso3166alpha2": iso3166alpha2,
    "iso4217": iso4217,
    "gcppos1": gcppos,
    "gcppos2": gcppos,
}
"""Linters we implement. Not implemented (not needed at a lot-scanning station): couponcode,
couponposoffer (North American coupons) and packagetype (UN/ECE Rec. 21 list, AI 7041);
AIs using them are checked for length and character set only."""
