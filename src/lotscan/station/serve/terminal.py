"""What a remote terminal can show, and the filter that fits the station's output to it.

The station renders once, in true colour and Unicode. A browser (xterm.js) shows that as is.
An SSH client says its terminal type: an xterm gets its colours downgraded to 256 or 16, and a
VT100/VT220 (RF guns) gets plain ASCII: colour codes dropped (bold and reverse kept), box
drawing as `+-|`, blocks as `#`, marks such as ✔ as letters; one character for one, so the
layout holds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rich.color import Color, ColorSystem

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
# Characters the station draws, as the nearest ASCII (one cell each).
_ASCII = {
    "✔": "v",
    "✓": "v",
    "✖": "x",
    "✗": "x",
    "●": "*",
    "○": "o",
    "◌": "o",
    "■": "#",
    "□": "#",
    "•": "*",
    "·": ".",
    "…": ".",
    "⇡": "^",
    "↑": "^",
    "↓": "v",
    "→": ">",
    "←": "<",
    "▶": ">",
    "◀": "<",
    "▲": "^",
    "▼": "v",
    "—": "-",
    "–": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "█": "#",
    "▌": "|",
    "▐": "|",
    "▏": "|",
    "▕": "|",
    "▔": "-",
    "▁": "_",
    "▀": "#",
    "▄": "#",
    "×": "x",
    "°": "o",
    "≤": "<",
    "≥": ">",
    "€": "E",
    "£": "L",
    "±": "+",
    "⏎": "<",
}


@dataclass(frozen=True)
class TerminalKind:
    """What one client terminal shows: its colours (None: none) and whether it has Unicode."""

    name: str
    colors: ColorSystem | None = ColorSystem.TRUECOLOR
    unicode: bool = True

    @property
    def plain(self) -> bool:
        return self.colors is None and not self.unicode

    @classmethod
    def from_term(cls, term: str | None) -> TerminalKind:
        """From the TERM an SSH client sends (vt100, vt220, xterm, xterm-256color, ...)."""
        name = (term or "").strip().lower() or "vt100"
        if name.startswith(("vt", "dumb", "ansi-mono")) or name in ("unknown", "network"):
            return cls(name, None, False)
        if "truecolor" in name or "direct" in name or name == "xterm.js":
            return cls(name, ColorSystem.TRUECOLOR)
        if "256" in name:
            return cls(name, ColorSystem.EIGHT_BIT)
        return cls(name, ColorSystem.STANDARD)


BROWSER = TerminalKind("xterm.js", ColorSystem.TRUECOLOR, True)


@lru_cache(maxsize=4096)
def _ascii_char(char: str) -> str:
    if char in _ASCII:
        return _ASCII[char]
    code = ord(char)
    if 0x2500 <= code <= 0x257F:  # box drawing
        name = unicodedata.name(char, "")
        if "HORIZONTAL" in name and "VERTICAL" not in name:
            return "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name:
            return "|"
        return "+"
    if 0x2580 <= code <= 0x259F:  # block elements
        return "#"
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return "?"  # would take two cells; rare in the station
    base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    return base[:1] or "?"


def to_ascii(text: str) -> str:
    if text.isascii():
        return text
    return "".join(char if char.isascii() else _ascii_char(char) for char in text)


@lru_cache(maxsize=8192)
def _downgrade(params: str, colors: ColorSystem | None) -> str:
    """One SGR parameter list, with its colours fitted to the terminal (or dropped)."""
    parts = [p for p in params.replace(":", ";").split(";")]
    out: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        number = int(part) if part.isdigit() else 0
        if number in (38, 48) and index + 1 < len(parts):
            foreground = number == 38
            mode = parts[index + 1]
            if mode == "2" and index + 4 < len(parts):
                r, g, b = (int(x or 0) for x in parts[index + 2 : index + 5])
                color = Color.from_rgb(r, g, b)
                index += 5
            elif mode == "5" and index + 2 < len(parts):
                color = Color.from_ansi(int(parts[index + 2] or 0))
                index += 3
            else:
                index += 2
                continue
            if colors is not None:
                out.extend(color.downgrade(colors).get_ansi_codes(foreground))
            continue
        index += 1
        if colors is None and (30 <= number <= 49 or 90 <= number <= 107):
            continue  # a colour on a terminal without colours
        out.append(part)
    return ";".join(out)


def _sgr(params: str, colors: ColorSystem | None) -> str:
    fitted = _downgrade(params, colors)
    if not fitted and params:
        return ""  # only colours, all dropped: an empty SGR would reset bold and reverse too
    return f"\x1b[{fitted}m"


def fit_output(text: str, kind: TerminalKind) -> str:
    """The station's output as this terminal can show it."""
    if kind.colors is not ColorSystem.TRUECOLOR and "\x1b[" in text:
        colors = kind.colors
        text = _SGR.sub(lambda m: _sgr(m.group(1), colors), text)
    if not kind.unicode:
        text = to_ascii(text)
    return text
