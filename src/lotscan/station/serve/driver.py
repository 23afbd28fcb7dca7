"""A Textual driver for a terminal at the other end of a connection (a browser's xterm.js over a
websocket, an SSH channel), run inside the station's own process and event loop.

textual-serve starts one process per browser tab, which would give each tab its own cache and
sync worker. Running every session's app in the station process, on this driver, keeps one
cache, one writer and one sync worker for all of them. The transport hands the driver the
client's keystrokes (`TerminalLink.feed`) and size (`TerminalLink.resize`); the driver hands the
transport the screen output, fitted to the client's terminal (`serve.terminal`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from textual import events
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.driver import Driver
from textual.geometry import Size
from textual.message import Message

from lotscan.station.serve.terminal import TerminalKind, fit_output

PARSER_TICK_S = 0.1  # a lone Esc is a key once nothing follows it this long


class KeyBurst(Message):
    """The keys of one network read (a scanner's burst and its Enter), posted to an app that
    takes them together (`takes_key_bursts`): one message instead of one per key, each with
    its own dispatch and bindings check. The app hands them on in order."""

    def __init__(self, keys: list[events.Key]) -> None:
        super().__init__()
        self.keys = keys


class Terminal(Protocol):
    """What takes a session's keystrokes and sizes: its driver, or its session process."""

    def feed(self, data: str, arrived: float | None = None) -> None: ...

    def resize(self, width: int, height: int) -> None: ...


class TerminalLink:
    """Both ends of one session's terminal: the transport's side and the driver's side (in this
    process, or in a session process: `serve.pool`)."""

    def __init__(
        self,
        kind: TerminalKind,
        send: Callable[[str], None],
        size: tuple[int, int],
        on_end: Callable[[], None] | None = None,
    ) -> None:
        self.kind = kind
        self.send = send
        self.size = size
        self.on_end = on_end
        self.driver: Terminal | None = None
        self._early: list[tuple[str, float]] = []

    # transport side
    def feed(self, data: str, arrived: float | None = None) -> None:
        """Keys from the client; `arrived`: when they came off the network (now if not given)."""
        when = get_time() if arrived is None else arrived
        if self.driver is None:
            self._early.append((data, when))
        else:
            self.driver.feed(data, when)

    def resize(self, width: int, height: int) -> None:
        self.size = (width, height)
        if self.driver is not None:
            self.driver.resize(width, height)

    # driver side
    def attach(self, driver: Terminal) -> None:
        self.driver = driver
        early, self._early = self._early, []
        for data, when in early:
            driver.feed(data, when)

    def ended(self) -> None:
        if self.on_end is not None:
            self.on_end()


class StreamDriver(Driver):
    """Screen output to a `TerminalLink`, input from it; no process-wide state touched."""

    def __init__(self, app: App[Any], *, debug: bool = False, mouse: bool = True, size: Any = None) -> None:
        link = getattr(app, "terminal_link", None)
        if not isinstance(link, TerminalLink):
            raise RuntimeError("StreamDriver needs app.terminal_link")
        super().__init__(app, debug=debug, mouse=mouse, size=size or link.size)
        self.link = link
        self._parser = XTermParser(debug=debug)
        self._pending: list[str] = []
        self._scheduled = False
        self._tick: asyncio.TimerHandle | None = None
        self._stopped = False

    def write(self, data: str) -> None:
        if self._stopped:
            return
        self._pending.append(data)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon_threadsafe(self._send)

    def _send(self) -> None:
        self._scheduled = False
        data, self._pending = "".join(self._pending), []
        if data:
            self.link.send(fit_output(data, self.link.kind))

    def flush(self) -> None:
        pass

    def send_message(self, message: Any) -> None:
        """Post to the app at once. Textual's drivers read keys in a thread and schedule a
        coroutine thread-safe for every key; here keys arrive on the app's own event loop, where
        that costs a coroutine, a future and a wake-up write per key (40 for one scan)."""
        self._app.post_message(message)

    def start_application_mode(self) -> None:
        self.write("\x1b[?1049h")  # alternate screen
        self.write("\x1b[?25l")  # hide the cursor
        if self.link.kind.colors is not None:
            self.write("\x1b[?2004h")  # bracketed paste: each pasted line is one scan
        width, height = self.link.size
        size = Size(width, height)
        self._app.post_message(events.Resize(size, size))
        self.link.attach(self)

    def feed(self, data: str, arrived: float | None = None) -> None:
        """Keystrokes from the client (the transport's thread is the event loop).

        Keys that came in one network read arrived together: they carry one arrival time, so a
        scanner's burst stays a burst even if this process is paused (a busy box) while the keys
        are being parsed. The wedge tells scans from typing by these times.
        """
        if arrived is None:
            arrived = get_time()
        keys: list[events.Key] = []
        for event in self._parser.feed(data):
            if isinstance(event, events.Key):
                event.time = arrived
                keys.append(event)
                continue
            self._post_keys(keys)
            keys = []
            self.process_message(event)
        self._post_keys(keys)
        if self._tick is None:
            self._tick = self._loop.call_later(PARSER_TICK_S, self._on_tick)

    def _post_keys(self, keys: list[events.Key]) -> None:
        if len(keys) > 1 and getattr(self._app, "takes_key_bursts", False):
            for key in keys:
                key.set_sender(self._app)
            self.process_message(KeyBurst(keys))
            return
        for key in keys:
            self.process_message(key)

    def _on_tick(self) -> None:
        self._tick = None
        for event in self._parser.tick():
            self.process_message(event)

    def resize(self, width: int, height: int) -> None:
        size = Size(width, height)
        self._size = (width, height)
        self._app.post_message(events.Resize(size, size))

    def disable_input(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def stop_application_mode(self) -> None:
        self.disable_input()
        self.write("\x1b[?2004l\x1b[0m\x1b[?25h\x1b[?1049l")
        self._send()
        self._stopped = True
        self.link.ended()
