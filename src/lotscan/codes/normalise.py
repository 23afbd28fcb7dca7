"""From device bytes to clean text: decoding, suffix stripping, GS substitutes.

Every character of the normalised text remembers where it came from in ``Scan.raw``, so a
finding can point at the characters the worker actually scanned.

GS substitutes: a device profile may name strings its scanner sends instead of GS (0x1D),
e.g. ``|``, ``<GS>``, ``{GS}`` or ``^]`` (caret notation of ctrl+]). We deliberately do NOT
guess at remnants of a failed Alt+0+2+9 key sequence such as a literal ``029`` or ``0029``:
those digits are indistinguishable from data inside numeric AIs. Two remnants ARE unambiguous
and always read as GS, because neither can occur in GS1 data: "↔" (U+2194, what Alt+029 types
through the Windows OEM code page 437) and "␝" (U+241D, the printable symbol for GS).
"""

from __future__ import annotations

from dataclasses import dataclass

from lotscan.codes.ai_table import GS
from lotscan.domain.lot_numbers import CSET82

SUFFIX_CHARS = "\r\n\t"
ALWAYS_GS = ("\u2194", "\u241d")
# The separator's name written out, as keyboard-wedge scanners send it. Made of set-82
# characters, but no real label carries these exact four characters as data.
NAMED_GS = ("<GS>", "{GS}", "[GS]")


def gs_substitute_problem(substitute: str) -> str | None:
    """Why `substitute` cannot stand for GS, or None when it can.

    GS1 General Specifications 7.11 (figure 7.11-1): data of every AI is drawn from character
    set 82 (or narrower). A substitute made with one of those characters would turn data into a
    separator (e.g. "1" splits every GTIN), so only characters outside set 82 (e.g. "|", "^]")
    and the written names in NAMED_GS may be used."""
    if not substitute:
        return "it is empty"
    if substitute in NAMED_GS:
        return None
    data_chars = sorted({char for char in substitute if char in CSET82})
    if data_chars:
        shown = ", ".join(repr(char) for char in data_chars)
        return (
            f"{shown} can appear in GS1 data (character set 82), so scans would be split there; "
            f'use a character outside it, such as "|"'
        )
    return None


@dataclass(frozen=True, slots=True)
class Text:
    """Normalised text plus the raw index of each of its characters (and one past the end)."""

    text: str
    origin: tuple[int, ...] | None = None
    offset: int = 0

    def raw_index(self, index: int) -> int:
        if self.origin is None:
            return self.offset + index
        return self.origin[min(max(index, 0), len(self.origin) - 1)]

    def raw_span(self, start: int | None, end: int | None) -> tuple[int | None, int | None]:
        if start is None:
            return None, None
        raw_start = self.raw_index(start)
        raw_end = self.raw_index(end) if end is not None else raw_start + 1
        return raw_start, max(raw_end, raw_start + 1)


def decode_bytes(data: bytes) -> str | None:
    """UTF-8 text, or None when the bytes are not UTF-8 (a wrong keyboard layout or noise)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def strip_suffix(text: str) -> str:
    """Drop the CR/LF/tab terminators readers append (they end the scan, they are not data)."""
    return text.rstrip(SUFFIX_CHARS)


def substitute_gs(text: str, offset: int, substitutes: tuple[str, ...]) -> Text:
    """Replace each substitute with GS, longest first; keeps the raw position of every char."""
    present = [s for s in (*substitutes, *ALWAYS_GS) if s and s in text]
    if not present:
        return Text(text, None, offset)
    present.sort(key=len, reverse=True)
    out: list[str] = []
    origin: list[int] = []
    index = 0
    length = len(text)
    while index < length:
        for substitute in present:
            if text.startswith(substitute, index):
                out.append(GS)
                origin.append(offset + index)
                index += len(substitute)
                break
        else:
            out.append(text[index])
            origin.append(offset + index)
            index += 1
    origin.append(offset + length)
    return Text("".join(out), tuple(origin), offset)
