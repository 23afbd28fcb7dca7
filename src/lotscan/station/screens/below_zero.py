"""The supervisor's list of shelves whose book stock went below zero (F12 or z): each place,
lot, item and quantity, the station's last scan that took from it, and what to do (count the
shelf). The list itself is services/below_zero.py."""

from __future__ import annotations

from rich.text import Text

from lotscan.services.below_zero import WHAT_TO_DO, BelowZero

NONE_BELOW_ZERO = "No shelf has book stock below zero."


def below_zero_title(shortfalls: list[BelowZero]) -> str:
    return f"Stock below zero ({len(shortfalls)})"


def below_zero_text(shortfalls: list[BelowZero]) -> Text:
    if not shortfalls:
        return Text(NONE_BELOW_ZERO)
    text = Text(WHAT_TO_DO + "\n", style="bold")
    for short in shortfalls:
        text.append("\n")
        text.append(f" {short.location} ", style="bold reverse")
        text.append(f" {short.qty:g} {short.unit}\n", style="bold")
        text.append(f"lot {short.lot}  {short.item} {short.description}".rstrip() + "\n")
        text.append(short.since + "\n")
    return text
