"""Compressed GS1 Digital Link URIs (GS1 Digital Link standard 1.2, "compression of GS1 Digital
Link URIs"): the GS1 data as a bit string, written in the URI-safe base64 alphabet as one path
segment, e.g. ``https://dlnkd.tn.gg/ARHKVAdpQg`` for ``/01/09780345418913``.

The bit string is a sequence of entries, each opened by 8 bits read as two hex digits:

* ``00``-``99``: the first two digits of an AI; the AI length for that prefix (table P) says how
  many more 4-bit digits follow. The value is then encoded by the AI's format (table F):
  a fixed-length numeric component as a binary number of ceil(n x log2(10)) bits; a
  variable-length numeric one with a length field of ceil(log2(max)) bits first; an
  alphanumeric one with a 3-bit encoding indicator (0 digits, 1 lower-case hex, 2 upper-case
  hex, 3 URI-safe base64, 4 7-bit ASCII), a length field for variable length, then the
  characters at 3.32, 4, 4, 6 or 7 bits each.
* ``0A``-``9F`` and ``A0``-``CD``: an optimisation code, a fixed sequence of AIs (table Opt)
  whose values follow in that order without their AI digits.
* ``F`` + 7 bits: a non-GS1 query parameter: key length, key in base64 characters, then the
  value as an alphanumeric component (3-bit encoding, 7-bit length).

Decoding stops when 8 bits or fewer remain (padding to a whole base64 character). A URI may be
fully compressed (the last path segment) or partially (``/01/<gtin>/<compressed rest>``).
Table F is derived from ``lotscan.codes.ai_table`` the way the standard derives it from the AI
formats: components of the Syntax Dictionary that it splits only for checking (``N1 N13`` of
AI 8003, ``X2 X..28`` of AI 7230) count as one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from lotscan.codes.ai_table import AI_TABLE

SAFE_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_HEX = "0123456789ABCDEF"
_SAFE64_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")

# Optimisation codes (GS1 Digital Link 1.2, table of optimisation codes): a code replaces the
# AI digits of a common sequence. F is reserved for non-GS1 key=value pairs.
OPTIMISATIONS: dict[str, tuple[str, ...]] = {
    "0A": ("01", "22"), "0B": ("01", "10"), "0C": ("01", "21"), "0D": ("01", "17"),
    "0E": ("01", "7003"), "0F": ("01", "30"),
    "1A": ("01", "10", "21", "17"), "1B": ("01", "15"), "1C": ("01", "11"), "1D": ("01", "16"),
    "1E": ("01", "91"), "1F": ("01", "10", "15"),
    "2A": ("01", "3100"), "2B": ("01", "3101"), "2C": ("01", "3102"), "2D": ("01", "3103"),
    "2E": ("01", "3104"), "2F": ("01", "3105"),
    "3A": ("01", "3200"), "3B": ("01", "3201"), "3C": ("01", "3202"), "3D": ("01", "3203"),
    "3E": ("01", "3204"), "3F": ("01", "3205"),
    "9A": ("8010", "8011"), "9B": ("8017", "8019"), "9C": ("8018", "8019"), "9D": ("414", "254"),
    "A0": ("01", "3920"), "A1": ("01", "3921"), "A2": ("01", "3922"), "A3": ("01", "3923"),
    "A4": ("01", "3924"), "A5": ("01", "3925"), "A6": ("01", "3926"), "A7": ("01", "3927"),
    "A8": ("01", "3928"), "A9": ("01", "3929"),
    "C0": ("255", "3900"), "C1": ("255", "3901"), "C2": ("255", "3902"), "C3": ("255", "3903"),
    "C4": ("255", "3904"), "C5": ("255", "3905"), "C6": ("255", "3906"), "C7": ("255", "3907"),
    "C8": ("255", "3908"), "C9": ("255", "3909"),
    "CA": ("255", "3940"), "CB": ("255", "3941"), "CC": ("255", "3942"), "CD": ("255", "3943"),
}  # fmt: skip

# Encoding indicators of an alphanumeric component: (alphabet or None for 7-bit ASCII, bits).
_DIGITS, _HEX_LOWER, _HEX_UPPER, _BASE64, _ASCII = range(5)
_CHARACTER_BITS = {_HEX_LOWER: 4, _HEX_UPPER: 4, _BASE64: 6, _ASCII: 7}


class CompressionError(ValueError):
    """Not a compressed GS1 Digital Link; the message says what is wrong in plain words."""


@dataclass(frozen=True, slots=True)
class Part:
    """One component of an AI value as the compression encodes it."""

    numeric: bool
    length: int  # the fixed length, or the maximum when variable
    variable: bool


def value_bits(digits: int) -> int:
    """Bits of a number of ``digits`` decimal digits: ceil(digits x log2 10), at least 1.

    >>> value_bits(14), value_bits(6), value_bits(1)
    (47, 20, 4)
    """
    return math.ceil(digits * math.log2(10) + 0.01)


def length_bits(maximum: int) -> int:
    """Bits of the length field of a variable component of at most ``maximum`` characters.

    >>> length_bits(20), length_bits(8), length_bits(90)
    (5, 4, 7)
    """
    return math.ceil(math.log2(maximum) + 0.01)


def _parts_of(ai: str) -> tuple[Part, ...]:
    """Table F for one AI: the Syntax Dictionary's components, joined where it splits one."""
    parts: list[Part] = []
    for component in AI_TABLE[ai].components:
        numeric = component.charset == "N"
        variable = component.min_length != component.max_length or component.optional
        length = component.max_length
        if parts and parts[-1].numeric == numeric:
            last = parts[-1]
            if not last.variable and not variable and not component.optional:
                parts[-1] = Part(numeric, last.length + length, False)  # N1 N13 -> N14
                continue
            if last.variable and component.optional:
                parts[-1] = Part(numeric, last.length + length, True)  # [N2] [N2] -> N..4
                continue
            if not numeric and not last.variable and variable:
                parts[-1] = Part(numeric, last.length + length, True)  # X2 X..28 -> X..30
                continue
        parts.append(Part(numeric, length, variable))
    return tuple(parts)


TABLE_F: dict[str, tuple[Part, ...]] = {ai: _parts_of(ai) for ai in AI_TABLE}


def _prefix_lengths() -> dict[str, int]:
    """Table P: the AI length that each two-digit prefix has."""
    lengths: dict[str, int] = {}
    for ai in AI_TABLE:
        previous = lengths.setdefault(ai[:2], len(ai))
        if previous != len(ai):  # pragma: no cover - GS1 keeps AI lengths per prefix
            raise AssertionError(f"AIs starting {ai[:2]} have two lengths")
    return lengths


TABLE_P: dict[str, int] = _prefix_lengths()


def looks_compressed(segment: str) -> bool:
    """True for a path segment written only in the URI-safe base64 alphabet."""
    return _SAFE64_SEGMENT.fullmatch(segment) is not None


def decompress(segment: str) -> list[tuple[str, str]]:
    """The (AI or query key, value) pairs of a compressed segment, in encoded order.

    Vector from GS1's digital-link.js tests (tests/index.js, "should decompress a compressed
    Digital Link URI"): ``HxHKVAdpQgZzjr-hCDKigI`` is /01/09780345418913/10/231/21/345345?15=120820.

    >>> decompress("HxHKVAdpQgZzjr-hCDKigI")
    [('01', '09780345418913'), ('10', '231'), ('15', '120820'), ('21', '345345')]
    >>> decompress("ARHKVAdpQg")
    [('01', '09780345418913')]
    >>> decompress("Zm9v")
    Traceback (most recent call last):
    ...
    lotscan.codes.dl_compression.CompressionError: its data names AI (66...), which GS1 does not define
    """
    if not looks_compressed(segment):
        raise CompressionError("it has characters outside the URI-safe base64 alphabet")
    reader = _Bits("".join(f"{SAFE_BASE64.index(c):06b}" for c in segment))
    pairs: list[tuple[str, str]] = []
    while reader.left > 8:
        first, second = reader.hex_digit(), reader.hex_digit()
        code = first + second
        if code.isdigit():
            size = TABLE_P.get(code)
            if size is None:
                raise CompressionError(f"its data names AI ({code}...), which GS1 does not define")
            ai = code + "".join(reader.hex_digit() for _ in range(size - 2))
            if not ai.isdigit() or ai not in TABLE_F:
                raise CompressionError(f"its data names AI ({ai}), which GS1 does not define")
            pairs.append((ai, _read_value(reader, ai)))
        elif code in OPTIMISATIONS:
            pairs.extend((ai, _read_value(reader, ai)) for ai in OPTIMISATIONS[code])
        elif first == "F":
            reader.position -= 4  # the key length is the 4 bits of the second digit + 3 more
            key_length = reader.number(7)
            key = "".join(SAFE_BASE64[reader.number(6)] for _ in range(key_length))
            encoding = reader.number(3)
            pairs.append((key, _read_characters(reader, encoding, reader.number(7))))
        else:
            raise CompressionError(
                f"its data uses the reserved code {code} that no GS1 AI or optimisation has"
            )
    return pairs


def _read_value(reader: _Bits, ai: str) -> str:
    value = ""
    for part in TABLE_F[ai]:
        if part.numeric:
            digits = reader.number(length_bits(part.length)) if part.variable else part.length
            if digits > part.length:
                raise CompressionError(f"AI ({ai}) says {digits} digits, more than its {part.length}")
            value += _digits(reader, digits)
        else:
            encoding = reader.number(3)
            count = reader.number(length_bits(part.length)) if part.variable else part.length
            if count > part.length:
                raise CompressionError(f"AI ({ai}) says {count} characters, more than its {part.length}")
            value += _read_characters(reader, encoding, count)
    return value


def _digits(reader: _Bits, count: int) -> str:
    if count == 0:
        return ""
    number = reader.number(value_bits(count))
    text = str(number).zfill(count)
    if len(text) > count:
        raise CompressionError(f"a number has more than the {count} digits it says")
    return text


def _read_characters(reader: _Bits, encoding: int, count: int) -> str:
    if encoding == _DIGITS:
        return _digits(reader, count)
    bits = _CHARACTER_BITS.get(encoding)
    if bits is None:
        raise CompressionError(f"its data uses character encoding {encoding}, which is not defined")
    codes = [reader.number(bits) for _ in range(count)]
    if encoding == _ASCII:
        return "".join(chr(c) for c in codes)
    if encoding == _BASE64:
        return "".join(SAFE_BASE64[c] for c in codes)
    text = "".join(_HEX[c] for c in codes)
    return text.lower() if encoding == _HEX_LOWER else text


class _Bits:
    """A cursor over a string of '0'/'1'; reading past the end is an error, not a guess."""

    def __init__(self, bits: str) -> None:
        self.bits = bits
        self.position = 0

    @property
    def left(self) -> int:
        return len(self.bits) - self.position

    def number(self, width: int) -> int:
        if width > self.left:
            raise CompressionError("its data ends in the middle of a value (cut short?)")
        chunk = self.bits[self.position : self.position + width]
        self.position += width
        return int(chunk, 2)

    def hex_digit(self) -> str:
        return _HEX[self.number(4)]


# -- compression: the inverse, used to make test data and to check round trips --------------


def compress(pairs: list[tuple[str, str]], *, optimise: bool = True) -> str:
    """The compressed segment for (AI, value) pairs; non-numeric keys are non-GS1 parameters.

    Vector from GS1's digital-link.js tests ("should use optimisations ..."):
    /01/9780345418913/21/43786?foo=bar compresses to ``DBHKVAdpQgqrCvBv0UMG21W``.

    >>> compress([("01", "09780345418913"), ("21", "43786"), ("foo", "bar")])
    'DBHKVAdpQgqrCvBv0UMG21W'
    >>> decompress(compress([("01", "09521234543213"), ("10", "ABC-1"), ("17", "261231")]))
    [('01', '09521234543213'), ('10', 'ABC-1'), ('17', '261231')]
    """
    bits: list[str] = []
    remaining = list(pairs)
    if optimise:
        ais = [key for key, _ in remaining]
        for code, sequence in sorted(OPTIMISATIONS.items(), key=lambda item: -len(item[1])):
            if all(ai in ais for ai in sequence):
                bits.append(f"{int(code, 16):08b}")
                values = dict(remaining)
                bits.extend(_value_bits(ai, values[ai]) for ai in sequence)
                remaining = [(key, value) for key, value in remaining if key not in sequence]
                break
    for key, value in remaining:
        if key.isdigit():
            if key not in TABLE_F:
                raise CompressionError(f"({key}) is not a GS1 AI")
            bits.append("".join(f"{int(d):04b}" for d in key))
            bits.append(_value_bits(key, value))
        else:
            if not looks_compressed(key) or len(key) > 127 or len(value) > 127:
                raise CompressionError(f"the parameter {key!r} cannot be compressed")
            bits.append("1111" + f"{len(key):07b}")
            bits.append("".join(f"{SAFE_BASE64.index(c):06b}" for c in key))
            encoding = _encoding_for(value)
            bits.append(f"{encoding:03b}{len(value):07b}" + _character_bits(encoding, value))
    text = "".join(bits)
    text += "0" * (-len(text) % 6)
    return "".join(SAFE_BASE64[int(text[i : i + 6], 2)] for i in range(0, len(text), 6))


def _value_bits(ai: str, value: str) -> str:
    bits = ""
    position = 0
    for index, part in enumerate(TABLE_F[ai]):
        last = index == len(TABLE_F[ai]) - 1
        if part.numeric:
            size = part.length if not part.variable else _numeric_run(value, position, part.length, last)
            chunk = value[position : position + size]
            if part.variable:
                bits += f"{len(chunk):0{length_bits(part.length)}b}"
            bits += f"{int(chunk or '0'):0{value_bits(len(chunk))}b}" if chunk else ""
        else:
            size = part.length if not part.variable else len(value) - position
            chunk = value[position : position + size]
            encoding = _encoding_for(chunk)
            bits += f"{encoding:03b}"
            if part.variable:
                bits += f"{len(chunk):0{length_bits(part.length)}b}"
            bits += _character_bits(encoding, chunk)
        position += size
    if position != len(value):
        raise CompressionError(f"the value of ({ai}) does not fit its format")
    return bits


def _numeric_run(value: str, position: int, maximum: int, last: bool) -> int:
    if last:
        return len(value) - position
    run = 0
    while position + run < len(value) and value[position + run].isdigit() and run < maximum:
        run += 1
    return run


def _encoding_for(text: str) -> int:
    if text.isdigit() and not text.startswith("0"):
        return _DIGITS
    if text and all(c in "0123456789abcdef" for c in text):
        return _HEX_LOWER
    if text and all(c in _HEX for c in text):
        return _HEX_UPPER
    if looks_compressed(text):
        return _BASE64
    return _ASCII


def _character_bits(encoding: int, text: str) -> str:
    if encoding == _DIGITS:
        return f"{int(text):0{value_bits(len(text))}b}"
    if encoding in (_HEX_LOWER, _HEX_UPPER):
        return "".join(f"{_HEX.index(c.upper()):04b}" for c in text)
    if encoding == _BASE64:
        return "".join(f"{SAFE_BASE64.index(c):06b}" for c in text)
    if any(ord(c) > 127 for c in text):
        raise CompressionError(f"{text!r} has characters beyond 7-bit ASCII")
    return "".join(f"{ord(c):07b}" for c in text)
