"""The last scans, newest first: time, how it came, what was scanned, the verdict."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events

from lotscan.domain.verdict import Level
from lotscan.station.wedge import GS
from lotscan.station.widgets.fixed import FixedStatic

MARKS = {Level.ACCEPTED: ("✔", "green"), Level.WARNING: ("!", "yellow"), Level.REJECTED: ("✖", "red")}


NOTICE_MARK = ("·", "white")
UNRECORDED_MARK = ("?", "bright_cyan")  # nothing recorded, nothing refused (a lookup)


@dataclass(frozen=True)
class Entry:
    clock: str
    how: str
    shown: str
    level: Level
    message: str
    notice: bool = False  # a command, badge or task: no verdict on goods
    lot: str | None = None  # the lot the scan named, shown before the raw data (alone when narrow)
    recorded: bool = True  # False: a warning that recorded nothing is not marked as one that did
    moved_to: str | None = None  # a move: the lot, then where it went (not the location scanned alone)


class History(FixedStatic):
    def __init__(self, keep: int = 25, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.entries: deque[Entry] = deque(maxlen=keep)
        self.compact = False

    def set_compact(self, compact: bool) -> None:
        """On a handheld the title goes, so the few lines there are show scans."""
        if compact != self.compact:
            self.compact = compact
            self.set_text(self._text())

    def add(self, entry: Entry) -> None:
        self.entries.appendleft(entry)
        self.set_text(self._text())

    def clear(self) -> None:
        """At sign-out: the next operator starts with an empty list."""
        self.entries.clear()
        self.set_text(self._text())

    def on_mount(self) -> None:
        self.set_text(self._text())

    def on_resize(self, event: events.Resize) -> None:
        self.set_text(self._text())  # an entry's clock goes or comes back with the width

    def rows_wanted(self) -> tuple[int, int]:
        """The rows of the newest entry (the title above it where there is one), and of all."""
        title = 0 if self.compact else 1
        return title + min(1, len(self.entries)), title + max(1, len(self.entries))

    def _text(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.compact:
            text.append("Last scans\n", style="bold underline")
        if not self.entries:
            text.append("(no scans yet)", style="dim")
        for index, entry in enumerate(self.entries):
            if entry.notice:
                mark, colour = NOTICE_MARK
            elif entry.level is not Level.REJECTED and not entry.recorded:
                mark, colour = UNRECORDED_MARK
            else:
                mark, colour = MARKS[entry.level]
            if index:
                text.append("\n")
            text.append(f"{mark} ", style=f"bold {colour}")
            how = f"{entry.how}: " if entry.how != "scan" and not self.compact else ""
            if entry.lot:  # the lot first at every width; how and the raw scan after it where room is left
                said = f"lot {entry.lot}" + (f" → {entry.moved_to}" if entry.moved_to else "")
                if self._clock_fits(said):
                    text.append(f"{entry.clock} ", style="dim")
                text.append("lot ", style="dim")
                text.append(entry.lot, style="bold")
                if entry.moved_to:  # the location scanned is where the lot went: said once, after it
                    text.append(f" → {entry.moved_to}")
                elif not self.compact:
                    text.append(f"  {how}{entry.shown.replace(GS, '␝')}", style="dim")
            else:
                text.append(f"{entry.clock} ", style="dim")
                text.append(how, style="dim")
                text.append(entry.shown.replace(GS, "␝"))
        return text

    def _clock_fits(self, said: str) -> bool:
        """Whether the entry's time leaves room for what it says of the lot: on an RF gun's 20
        columns the lot is what the operator checks, its time is not (issue 14, tester Y3)."""
        width = self.content_size.width
        return width <= 0 or cell_len(f"✔ 00:00:00 {said}") <= width
