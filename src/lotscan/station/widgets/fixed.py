"""A Static whose size comes from the stylesheet (or the app's row sharing), so new text repaints
it without a relayout; it says when its text needs another number of rows."""

from __future__ import annotations

from collections.abc import Callable

from rich._wrap import divide_line
from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.content import Content
from textual.css.styles import RenderStyles
from textual.visual import Visual, visualize
from textual.widgets import Static


def wrapped_rows(plain: str, width: int, *, wrap: bool = True, fold: bool = True) -> int:
    """The rows `plain` takes at `width` cells, as Textual's Content wraps it (`get_height`:
    each line divided by rich's `divide_line`), without building the styled lines: a verdict's
    rows are counted on every scan, before its frame."""
    if width <= 0:
        return 0
    lines = [line.expandtabs(8) for line in plain.split("\n")]
    if wrap:  # a line that fits is one row: the block letters' many "words" are never divided
        return sum(
            1 if cell_len(line) <= width else len(divide_line(line, width, fold=fold)) + 1 for line in lines
        )
    if fold:
        return sum(max(1, -(-cell_len(line) // width)) for line in lines)
    return len(lines)


def visual_rows(visual: Visual, styles: RenderStyles, width: int) -> int:
    """The rows a widget's visual takes at its content `width`, under its text-wrap and
    text-overflow rules."""
    if not isinstance(visual, Content):
        return visual.get_height(styles, width)  # type: ignore[arg-type]  # as Widget does
    wrap = styles.text_wrap != "nowrap"
    fold = styles.text_overflow == "fold"
    return wrapped_rows(visual.plain, width - styles.line_pad * 2, wrap=wrap, fold=fold)


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
        self._rows_cache: tuple[object, int, int] = (None, 0, 0)

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
        return visual_rows(visualize(self, content, markup=False), self.styles, width)

    def rows_needed(self) -> int:
        """The rows the text shown takes at this widget's width (0 before its first layout)."""
        width = self.content_size.width
        if width <= 0:
            return 0
        visual = self.visual
        cached_visual, cached_width, rows = self._rows_cache
        if cached_visual is not visual or cached_width != width:  # counted once per text and width
            rows = visual_rows(visual, self.styles, width)
            self._rows_cache = (visual, width, rows)
        return rows

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
