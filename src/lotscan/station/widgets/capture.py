"""The scan line: captures keyboard-wedge bursts, typing and pastes, keeping GS.

The stock Input drops GS (0x1D arrives as ctrl+]) and mixes scans with typing, so this widget
handles keys itself through `WedgeCapture` and posts finished lines and hotkeys as messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from rich.text import Text
from textual import events
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from lotscan.station.wedge import GS, Hotkey, Line, WedgeCapture, WedgeConfig

# Keys the station always keeps for itself, never part of a scan.
PASS_THROUGH = frozenset({"ctrl+q", "ctrl+c"})
# Typed characters are echoed this long after the key, not at once: a scanner burst then paints
# nothing before its verdict, and the verdict's frame is painted without waiting a frame or two.
ECHO_DELAY_S = 0.04
SCROLL_KEYS = frozenset({"pageup", "pagedown", "up", "down"})


class ScanCapture(Widget, can_focus=True):
    """Always focused on the main screen; shows what is being typed."""

    class Scanned(Message):
        def __init__(self, line: Line) -> None:
            super().__init__()
            self.line = line

    class Keys(Message):
        """Keys that came together (`serve.driver.KeyBurst`), handed on by the app in order."""

        def __init__(self, keys: list[events.Key]) -> None:
            super().__init__()
            self.keys = keys

    class HotkeyPressed(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(
        self,
        config: WedgeConfig,
        *,
        hotkeys: Collection[str] = (),
        function_keys: Collection[str] = (),
        clock: Callable[[], float] = time.monotonic,  # the clock of key events on Linux
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.wedge = WedgeCapture(config, hotkeys=frozenset(hotkeys))
        self.letter_hotkeys = frozenset(hotkeys)
        self.function_keys = frozenset(function_keys)
        self.label = "Scan"
        self.secret = False
        # A sentence field (a reason): a pasted block is one value, its lines joined (tester U15).
        self.joins_pasted_lines = False
        self._timer: Timer | None = None
        self._echo_timer: Timer | None = None
        self._painted: tuple[str, bool, str] | None = None
        self._clock = clock

    def set_field(self, label: str, *, secret: bool = False, letters_are_text: bool = False) -> None:
        """Say what the next line is for; letters are text while someone is typing a value."""
        hotkeys = frozenset() if letters_are_text else self.letter_hotkeys
        if (label, secret, hotkeys) == (self.label, self.secret, self.wedge.hotkeys):
            return  # nothing to repaint: a repaint now could delay the next verdict's frame
        self.label = label
        self.secret = secret
        self.wedge.hotkeys = hotkeys
        self.refresh()

    def render(self) -> Text:
        self._painted = self._line()
        typed = self.wedge.text
        shown = "•" * len(typed) if self.secret else typed.replace(GS, "␝")
        text = Text()
        text.append(f"{self.label}> ", style="bold")
        text.append(shown)
        text.append("▏", style="blink")
        return text

    def on_key(self, event: events.Key) -> None:
        if event.key in PASS_THROUGH:
            return
        event.stop()
        event.prevent_default()
        self.feed(event)

    def on_scan_capture_keys(self, message: Keys) -> None:
        message.stop()
        self.feed_keys(message.keys)

    def feed(self, event: events.Key) -> None:
        self.feed_keys([event])

    def feed_keys(self, keys: list[events.Key]) -> None:
        """Keys in order (one, or a network read's worth); the timers are set once after them."""
        typed = False
        for event in keys:
            if event.key == "escape":
                self.wedge.clear()
                self.post_message(self.HotkeyPressed("escape_field"))
                self.refresh()
            elif event.key in SCROLL_KEYS or event.key in self.function_keys:
                self.post_message(self.HotkeyPressed(event.key))
            else:
                self._post(self.wedge.key(event.key, event.character, event.time))
                typed = True
        if typed:
            self._settle()

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        text = event.text
        if self.joins_pasted_lines and "\n" in text.replace("\r", "\n").strip("\n"):
            lines = [part.strip() for part in text.replace("\r", "\n").split("\n") if part.strip()]
            text = " ".join(lines) + ("\n" if text.endswith(("\n", "\r")) else "")
        self._post(self.wedge.paste(text, event.time))
        self._settle()

    def clear(self) -> None:
        self.wedge.clear()
        self.refresh()

    def prefill(self, text: str) -> None:
        """Start the field with `text` typed (Enter keeps it, Backspace edits it, typing replaces it)."""
        self.wedge.prefill(text, self._clock())
        self.refresh()

    def _post(self, outputs: list[Line | Hotkey] | list[Line]) -> None:
        for out in outputs:
            if isinstance(out, Line):
                self.post_message(self.Scanned(out))
            else:
                self.post_message(self.HotkeyPressed(out.key))

    def _settle(self) -> None:
        self._arm_timer()
        if self._echo_timer is None:
            self._echo_timer = self.set_timer(ECHO_DELAY_S, self._echo)

    def _echo(self) -> None:
        self._echo_timer = None
        if self._line() != self._painted:  # a scan's burst ends as it began: an empty line
            self.refresh()

    def _line(self) -> tuple[str, bool, str]:
        return self.label, self.secret, self.wedge.text

    def _arm_timer(self) -> None:
        deadline = self.wedge.next_deadline()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if deadline is not None:
            delay = max(0.001, deadline - self._clock())
            self._timer = self.set_timer(delay, self._poll)

    def _poll(self) -> None:
        self._timer = None
        self._post(self.wedge.poll(self._clock()))
        self._settle()
