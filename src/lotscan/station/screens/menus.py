"""Pop-ups worked with one key: the mode menu, a choice list (tasks, override reasons), help.

A key a pop-up does not use closes it and goes back to the scan line, so a scan fired while a
menu is open is still captured.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

CHOICE_KEYS = "123456789abcdfghijklmnoprtuvwyz"


@dataclass(frozen=True)
class Choice:
    key: str
    value: str
    label: str
    disabled: bool = False


class ChoiceMenu(ModalScreen[str | None]):
    """A list of choices, each picked by its key; arrows and Enter work too; Escape cancels."""

    def __init__(self, title: str, choices: list[Choice], footer: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.footer = footer
        self.cursor = next((i for i, c in enumerate(choices) if not c.disabled), 0)
        self.closing = False

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
                self._pick(choice)
                return
        # Not ours (a scan fired into the menu?): close, and the scan line gets the key.
        self.closing = True
        self.dismiss(None)
        if forward is not None:
            forward(event)

    def _pick(self, choice: Choice) -> None:
        """Disabled choices are dimmed but still go through, so the refusal says why."""
        self.closing = True
        self.dismiss(choice.value)


CLOSE_KEYS = frozenset({"escape", "enter", "space", "f1", "question_mark"})


class HelpScreen(ModalScreen[None]):
    """Any key closes it; a key that is not a close key (a scan fired meanwhile) goes on to the
    scan line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.closing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="menu"):
            yield Static(Text("Help", style="bold"), id="menu-title")
            yield Static(self.text, id="menu-body")
            yield Static("any key = back", id="menu-footer")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        forward = getattr(self.app, "forward_key", None)
        if not self.closing:
            self.closing = True
            self.dismiss(None)
            if event.key in CLOSE_KEYS:
                return
        if forward is not None:
            forward(event)
