"""Shown instead of the station when the terminal is too small to show what a scan needs: the
prompt, the line to pick, the verdict with its next action, the lot in the last scans and the
keys (issue 14). The station works from 20 columns by 16 rows (a 24- or 32-column rugged
handheld included); below that a verdict's next action or the keys would be cut, so the screen
says how big it is, what it needs, and that no scan is taken until then."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

MIN_COLUMNS = 20
MIN_ROWS = 16


def too_small(width: int, height: int) -> bool:
    return width < MIN_COLUMNS or height < MIN_ROWS


def too_small_text(width: int, height: int) -> Text:
    text = Text(f"SCREEN TOO SMALL: {width}x{height}\n", style="bold reverse")
    text.append(
        f"The station needs {MIN_COLUMNS}x{MIN_ROWS} or more (40x16 is best): a smaller font or a "
        "bigger window.\n",
        style="bold",
    )
    text.append("No scan is taken until then.")
    return text


class TooSmallScreen(ModalScreen[None]):
    """Covers the station while the terminal is too small; it closes by itself once the
    terminal is large enough (the app's resize handler). Every key is dropped here: a scan that
    could not be shown is not judged."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.shown_size = (width, height)

    def compose(self) -> ComposeResult:
        yield Static(too_small_text(*self.shown_size), id="too-small")

    def show_size(self, width: int, height: int) -> None:
        self.shown_size = (width, height)
        self.query_one("#too-small", Static).update(too_small_text(width, height))

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
