"""The key bar: every action available now, with its function key and its letter."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from lotscan.station.keys import Action


def keys_text(actions: list[Action], width: int) -> Text:
    text = Text()
    for action in actions:
        key = action.letter if width < 120 else f"{action.fkey.upper()}/{action.letter}"
        text.append(f" {key} ", style="bold reverse")
        text.append(f" {action.label} ")
    return text


class KeyBar(Static):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.actions: list[Action] = []

    def show(self, actions: list[Action]) -> None:
        self.actions = actions
        self.update(keys_text(actions, self.size.width or 80))

    def on_resize(self) -> None:
        self.update(keys_text(self.actions, self.size.width or 80))
