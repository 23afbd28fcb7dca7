"""Keyboard-wedge capture: turn one key event per character back into whole scans.

Pure logic, no Textual: the station's capture widget feeds it key names, characters and event
times, and gets back finished lines and hotkeys. The rules:

- GS (0x1D) is kept: a terminal delivers it as the key ``ctrl+right_square_bracket``; a wedge
  set up for Windows types it as Alt held with 0, 2, 9 (or 0, 0, 2, 9), which arrive here as
  ``alt+0``, ``alt+2``, ``alt+9``.
- A scan ends on the profile's terminator key (Enter for CR/LF/CRLF, Tab for TAB). A scanner
  whose profile sends no terminator ends a scan with a pause of ``end_gap_s``. A line end always
  ends a line: Enter, and the newline (``ctrl+j``) that keys typed before the station took the
  terminal arrive as, the terminal having turned their Enter into a newline (tester tz, Z4).
- A line whose keys all came less than ``burst_gap_s`` apart is a scanner burst; anything
  slower is a person typing (who may then use Backspace and Escape). Two runs of fast keys
  less than ``stall_gap_s`` apart are one burst that stalled (a loaded machine).
- A lone lowercase letter pressed on an empty line is a hotkey, but only once ``hotkey_wait_s``
  has passed without another key: a scan that starts with a letter stays a scan, and so does a
  code a person types by hand (``op:1001``, a lot in lower case), a key every 0.1-0.3 s.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

GS = "\x1d"
GS_KEYS = frozenset({"ctrl+right_square_bracket", "ctrl+]"})
# Enter, and the newline a terminal makes of it while it is still in line mode (before the
# station starts, the terminal turns CR into LF and hands the station the buffered lines).
LINE_END_KEYS = frozenset({"enter", "ctrl+j"})
TERMINATOR_KEYS = {
    "CR": LINE_END_KEYS,
    "LF": LINE_END_KEYS,
    "CRLF": LINE_END_KEYS,
    "TAB": frozenset({"tab"}),
    "ETX": frozenset({"ctrl+c"}),
    "NONE": frozenset(),
}
_PASTE_LINES = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class WedgeConfig:
    terminators: frozenset[str] = LINE_END_KEYS
    burst_gap_s: float = 0.05
    end_gap_s: float = 0.25
    min_burst_chars: int = 4
    pause_ends_scan: bool = False
    hotkey_wait_s: float = 0.35
    # A pause this short between two runs of fast keys is a stall inside one scan, not its end.
    stall_gap_s: float = 0.25

    @classmethod
    def for_suffix(cls, suffix: str, interbyte_timeout_ms: float = 0.0) -> WedgeConfig:
        terminators = TERMINATOR_KEYS.get(suffix.upper(), LINE_END_KEYS)
        end_gap = interbyte_timeout_ms / 1000 if interbyte_timeout_ms > 0 else 0.25
        # A line end always ends a line typed by hand, whatever the scanner sends.
        return cls(terminators | LINE_END_KEYS, end_gap_s=end_gap, pause_ends_scan=not terminators)


@dataclass(frozen=True)
class Line:
    """One finished scan or typed line."""

    text: str
    burst: bool
    started: float
    ended: float
    pasted: bool = False


@dataclass(frozen=True)
class Hotkey:
    key: str


Output = Line | Hotkey


@dataclass
class WedgeCapture:
    config: WedgeConfig = field(default_factory=WedgeConfig)
    hotkeys: Collection[str] = ()
    _chars: list[str] = field(default_factory=list)
    _times: list[float] = field(default_factory=list)
    _pending: tuple[str, float] | None = None
    _alt_digits: str = ""
    _prefilled: bool = False  # the line holds a value given before: a typed character replaces it

    @property
    def text(self) -> str:
        """What is on the line so far (a pending hotkey letter included)."""
        pending = self._pending[0] if self._pending else ""
        return pending + "".join(self._chars)

    def key(self, key: str, character: str | None, t: float) -> list[Output]:
        """Feed one key event; returns what it finished (usually nothing)."""
        out = self.poll(t)
        if key.startswith("alt+") and key[4:].isdigit() and len(key) == 5:
            self._alt_digits += key[4:]
            if self._alt_digits.lstrip("0") == "29":
                self._alt_digits = ""
                self._take_pending()
                self._append(GS, t)
            elif len(self._alt_digits) >= 4:
                self._alt_digits = ""
            return out
        self._alt_digits = ""
        if key in GS_KEYS:
            self._take_pending()
            self._append(GS, t)
            return out
        if key in self.config.terminators:
            self._take_pending()
            line = self._finish(t)
            return [*out, line] if line else out
        if key == "backspace":
            self._prefilled = False  # editing the value given before
            self._take_pending()
            if self._chars:
                self._chars.pop()
                self._times.pop()
            return out
        if key == "escape":
            self.clear()
            return out
        if character is None or not character.isprintable() or len(character) != 1:
            return out
        if not self._chars and self._pending is None and character in self.hotkeys:
            self._pending = (character, t)
            return out
        if self._prefilled:  # typing a new value over the one given before (tester tz Z9b kept it)
            self.clear()
        self._take_pending()
        self._append(character, t)
        return out

    def poll(self, t: float) -> list[Output]:
        """Time passing: a pending hotkey fires, and a terminator-less burst ends after a pause."""
        out: list[Output] = []
        if self._pending is not None and t - self._pending[1] >= self.config.hotkey_wait_s:
            out.append(Hotkey(self._pending[0]))
            self._pending = None
        if (
            self.config.pause_ends_scan
            and self._times
            and t - self._times[-1] >= self.config.end_gap_s
            and self._is_burst()
        ):
            line = self._finish(self._times[-1])
            if line:
                out.append(line)
        return out

    def next_deadline(self) -> float | None:
        """When `poll` next has something to do, for the widget's timer."""
        if self._pending is not None:
            return self._pending[1] + self.config.hotkey_wait_s
        if self._times and self.config.pause_ends_scan:
            return self._times[-1] + self.config.end_gap_s
        return None

    def paste(self, text: str, t: float) -> list[Line]:
        """Every non-empty line of a paste is one scan; typed text before it joins the first."""
        self._take_pending()
        head = "".join(self._chars)
        started = self._times[0] if self._times else t
        self.clear()
        parts = _PASTE_LINES.split(text)
        lines = []
        for index, part in enumerate(parts):
            if index == 0:
                part = head + part
            if part.strip():
                lines.append(Line(part, True, started if index == 0 else t, t, pasted=True))
        return lines

    def clear(self) -> None:
        self._chars.clear()
        self._times.clear()
        self._pending = None
        self._prefilled = False

    def prefill(self, text: str, t: float) -> None:
        """Put `text` on the line as if typed slowly before `t` (a value already given: Enter
        keeps it, Backspace edits it, a typed character replaces it): never a burst, so no pause
        ends it as a scan."""
        self.clear()
        gap = max(self.config.burst_gap_s, self.config.stall_gap_s) * 2
        for index, char in enumerate(text):
            self._append(char, t - (len(text) - index) * gap)
        self._prefilled = bool(text)

    def _append(self, char: str, t: float) -> None:
        self._chars.append(char)
        self._times.append(t)

    def _take_pending(self) -> None:
        if self._pending is not None:
            char, when = self._pending
            self._pending = None
            self._chars.insert(0, char)
            self._times.insert(0, when)

    def _finish(self, t: float) -> Line | None:
        """End the line. A burst that follows slow typing is the scan; the typing stays."""
        if not self._chars:
            return None
        start = self._burst_start()
        if start is None:
            start, burst = 0, False
        else:
            burst = True
        line = Line("".join(self._chars[start:]), burst, self._times[start], t)
        del self._chars[start:]
        del self._times[start:]
        return line

    def _burst_start(self) -> int | None:
        """Where the trailing run of fast keys starts, if it is long enough to be a scan. A
        short stall inside a scan (a busy machine read the keys late, a network hiccup) does
        not split it: a run of fast keys just before the stall belongs to the same scan.
        Before, the keys before the stall stayed on the scan line as if typed, and the rest
        was judged alone (a receive label read as its lot half only)."""
        times = self._times
        start = self._run_start(len(times) - 1)
        if len(times) - start < self.config.min_burst_chars:
            return None
        while start > 0 and times[start] - times[start - 1] < self.config.stall_gap_s:
            before = self._run_start(start - 1)
            if start - before < self.config.min_burst_chars:
                break  # a person's typing before the scan: it stays on the line
            start = before
        return start

    def _run_start(self, end: int) -> int:
        """The first of the keys up to `end` that came less than `burst_gap_s` apart."""
        times = self._times
        start = end
        while start > 0 and times[start] - times[start - 1] < self.config.burst_gap_s:
            start -= 1
        return start

    def _is_burst(self) -> bool:
        return self._burst_start() == 0
