"""Three-row block letters for the verdict word, readable from a metre away."""

from __future__ import annotations

GLYPHS: dict[str, tuple[str, str, str]] = {
    "A": ("▄▀▄", "█▀█", "▀ ▀"),
    "C": ("█▀▀", "█  ", "▀▀▀"),
    "D": ("█▀▄", "█ █", "▀▀ "),
    "E": ("█▀▀", "█▀▀", "▀▀▀"),
    "G": ("█▀▀", "█ █", "▀▀▀"),
    "I": ("▀█▀", " █ ", "▀▀▀"),
    "J": ("▀▀█", "  █", "▀▀▀"),
    "N": ("█▄ █", "█ ▀█", "▀  ▀"),
    "O": ("█▀█", "█ █", "▀▀▀"),
    "P": ("█▀█", "█▀▀", "▀  "),
    "R": ("█▀█", "█▀▄", "▀ ▀"),
    "T": ("▀█▀", " █ ", " ▀ "),
    "W": ("█   █", "█ █ █", " ▀ ▀ "),
    " ": ("  ", "  ", "  "),
}


def big(word: str) -> list[str]:
    """The word as three rows of block characters (unknown letters as themselves)."""
    rows = ["", "", ""]
    for char in word.upper():
        glyph = GLYPHS.get(char, (char, " ", " "))
        for index in range(3):
            rows[index] += glyph[index] + " "
    return [row.rstrip() for row in rows]
