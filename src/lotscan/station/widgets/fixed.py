"""A Static whose size comes from the stylesheet, so new text repaints it without a relayout."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class FixedStatic(Static):
    """Skips updates that change nothing, and never asks for a layout pass (the scan-to-banner
    time is mostly layout and paint, not the cache)."""

    def __init__(self, content: str | Text = "", **kwargs: object) -> None:
        super().__init__(content, **kwargs)  # type: ignore[arg-type]
        self._shown: str | Text | None = None

    def set_text(self, content: str | Text, *, layout: bool = False) -> None:
        if content == self._shown:
            return
        self._shown = content
        self.update(content, layout=layout)
