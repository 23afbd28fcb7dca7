"""A Static whose size comes from the stylesheet (or the app's row sharing), so new text repaints
it without a relayout; it says when its text needs another number of rows."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.visual import visualize
from textual.widgets import Static


class FixedStatic(Static):
    """Skips updates that change nothing, and never asks for a layout pass (the scan-to-banner
    time is mostly layout and paint, not the cache). A widget whose rows the app shares
    (`lotscan.station.rows`) gets `on_rows_changed`: it is called, at once, when new text or a
    new width makes the text take another number of rows, so the app can share them again."""

    def __init__(self, content: str | Text = "", **kwargs: object) -> None:
        super().__init__(content, **kwargs)  # type: ignore[arg-type]
        self._shown: str | Text | None = None
        self.on_rows_changed: Callable[[], None] | None = None
        self._rows_said: object = None  # what rows_key() was when last reported

    def set_text(self, content: str | Text, *, layout: bool = False) -> None:
        if content == self._shown:
            return
        self._shown = content
        self.update(content, layout=layout)
        self._say_rows()

    def rows_for(self, content: str | Text) -> int:
        """The rows `content` takes at this widget's width and style (0 before its first layout)."""
        width = self.content_size.width
        if width <= 0:
            return 0
        visual = visualize(self, content, markup=False)
        return visual.get_height(self.styles, width)  # type: ignore[arg-type]  # as Widget does

    def rows_needed(self) -> int:
        """The rows the text shown takes at this widget's width (0 before its first layout)."""
        width = self.content_size.width
        if width <= 0:
            return 0
        return self.visual.get_height(self.styles, width)  # type: ignore[arg-type]  # as Widget does

    def rows_key(self) -> object:
        """What the app's sharing of rows reads from this widget (its rows, by default)."""
        return self.rows_needed()

    def _say_rows(self) -> None:
        if self.on_rows_changed is None:
            return
        rows = self.rows_key()
        if rows != self._rows_said:
            self._rows_said = rows
            self.on_rows_changed()

    def on_resize(self, event: events.Resize) -> None:
        self._say_rows()  # the same text takes other rows at another width
