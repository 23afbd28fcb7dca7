"""The key bar: every action available now, with its function key and its letter."""

from __future__ import annotations

from rich.text import Text
from textual import events

from lotscan.station.keys import Action
from lotscan.station.widgets.fixed import FixedStatic


def keys_text(actions: list[Action], width: int) -> Text:
    text = Text()  # wraps: on a handheld the keys take two rows, none is cut
    for action in actions:
        if width < 70:
            text.append(action.letter, style="bold reverse")
            text.append(f"{action.short or action.label} ")
            continue
        key = action.letter if width < 120 else f"{action.fkey.upper()}/{action.letter}"
        text.append(f" {key} ", style="bold reverse")
        text.append(f" {action.label} ")
    return text


class KeyBar(FixedStatic):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.actions: list[Action] = []

    def show(self, actions: list[Action]) -> None:
        self.actions = actions
        self.set_text(keys_text(actions, self.size.width or 80))

    def on_resize(self, event: events.Resize) -> None:
        self.set_text(keys_text(self.actions, self.size.width or 80))
