"""Pop-ups worked with one key: the mode menu, a choice list (tasks, override reasons), help.

A key a pop-up does not use closes it and goes back to the scan line, so a scan fired while a
menu is open is still captured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static

CHOICE_KEYS = "123456789abcdfghijklmnoprtuvwyz"


@dataclass(frozen=True)
class Choice:
    key: str
    value: str
    label: str
    disabled: bool = False


BURST_GAP_S = 0.05  # as on the scan line: a key followed this fast by another is part of a scan


class ChoiceMenu(ModalScreen[str | None]):
    """A list of choices, each picked by its key; arrows and Enter work too; Escape cancels.

    A choice key takes effect once no other key follows within BURST_GAP_S, so a scan fired at
    the menu (a Digital Link starts with "h") goes to the scan line instead of choosing.
    """

    def __init__(self, title: str, choices: list[Choice], footer: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.footer = footer
        self.cursor = next((i for i, c in enumerate(choices) if not c.disabled), 0)
        self.closing = False
        self.held: events.Key | None = None
        self._held_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="menu"):
            yield Static(Text(self.title_text, style="bold"), id="menu-title")
            yield Static(self._body(), id="menu-body")
            yield Static(self.footer or "key = choose · Esc = back", id="menu-footer")

    def _body(self) -> Text:
        text = Text()
        for index, choice in enumerate(self.choices):
            style = "reverse" if index == self.cursor else ""
            if choice.disabled:
                style += " dim"
            if index:
                text.append("\n")
            text.append(f" {choice.key} ", style="bold reverse")
            text.append(f" {choice.label}", style=style.strip())
        if not self.choices:
            text.append("(nothing to choose)", style="dim")
        return text

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        forward = getattr(self.app, "forward_key", None)
        if self.closing:  # keys that arrived while closing belong to the scan line
            if forward is not None:
                forward(event)
            return
        if self.held is not None and event.time - self.held.time < BURST_GAP_S:
            self._to_scan_line(event)
            return
        key = event.key
        if key == "escape":
            self.closing = True
            self.dismiss(None)
            return
        if key in ("down", "up") and self.choices:
            step = 1 if key == "down" else -1
            self.cursor = (self.cursor + step) % len(self.choices)
            self.query_one("#menu-body", Static).update(self._body())
            return
        if key == "enter" and self.choices:
            self._pick(self.choices[self.cursor])
            return
        for choice in self.choices:
            if event.character is not None and event.character == choice.key:
                self.held = event
                self._held_timer = self.set_timer(BURST_GAP_S, lambda c=choice: self._pick(c))
                return
        # Not ours (a scan fired into the menu?): close, and the scan line gets the key.
        self._to_scan_line(event)

    def _to_scan_line(self, event: events.Key) -> None:
        if self._held_timer is not None:
            self._held_timer.stop()
        held, self.held = self.held, None
        self.closing = True
        self.dismiss(None)
        forward = getattr(self.app, "forward_key", None)
        if forward is not None:
            for key in (held, event):
                if key is not None:
                    forward(key)

    def _pick(self, choice: Choice) -> None:
        """Disabled choices are dimmed but still go through, so the refusal says why."""
        if self.closing:
            return
        self.held = None
        self.closing = True
        self.dismiss(choice.value)


CLOSE_KEYS = frozenset({"escape", "f1", "f11", "question_mark"})
BURST_GAP_S = 0.05  # keys closer than this are a scanner's burst (station/wedge.py burst_gap_s)
SCROLL_KEYS = {
    "up": ("scroll_up", ()),
    "down": ("scroll_down", ()),
    "pageup": ("scroll_page_up", ()),
    "pagedown": ("scroll_page_down", ()),
    "home": ("scroll_home", ()),
    "end": ("scroll_end", ()),
    "space": ("scroll_page_down", ()),
    "left": ("scroll_left", ()),
    "right": ("scroll_right", ()),
}


class HelpScreen(ModalScreen[None]):
    """The whole help (or another long text: the refused events), scrollable at any size (arrows,
    PgUp/PgDn, space); Esc, F1 or ? close it. A lone typed key does nothing (tester U16: it
    closed the help and landed in the scan line); keys coming as fast as a scanner's burst are a
    scan fired at the station: the screen closes and the scan line gets them all, so no scan is lost.

    `codes` are barcodes a user types from the screen (the demo's), each under what it is for:
    a code is one line, never broken (tester U13: at 40x16 the demo codes wrapped mid-code);
    one wider than the screen scrolls sideways (left and right arrows)."""

    def __init__(self, text: str | Text, title: str = "Help", codes: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.text = text
        self.codes = codes
        self.title_text = title
        self.closing = False
        self.burst: list[events.Key] = []  # keys that close nothing unless they come as a burst

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(Text(self.title_text, style="bold"), id="menu-title")
            with ScrollableContainer(id="help-scroll"):
                yield Static(self.text, id="menu-body")
                for what, code in self.codes:
                    yield Static(Text(f"{what}:"), classes="code-for")
                    yield Static(Text(code, style="bold", no_wrap=True), classes="code")
            arrows = "↑↓←→" if self.codes else "↑↓"  # a code wider than the screen scrolls sideways
            yield Static(f"{arrows} PgUp PgDn scroll · Esc/F1 close", id="menu-footer")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        forward = getattr(self.app, "forward_key", None)
        if self.closing:
            if forward is not None:
                forward(event)
            return
        if event.key in SCROLL_KEYS:
            name, _ = SCROLL_KEYS[event.key]
            getattr(self.query_one("#help-scroll", ScrollableContainer), name)(animate=False)
            return
        if event.key in CLOSE_KEYS:
            self.closing = True
            self.dismiss(None)
            return
        if self.burst and event.time - self.burst[-1].time >= BURST_GAP_S:
            self.burst.clear()  # the key before was typed alone: it did nothing
        self.burst.append(event)
        if len(self.burst) < 2:
            return
        self.closing = True
        self.dismiss(None)
        if forward is not None:
            for key in self.burst:
                forward(key)
        self.burst.clear()
