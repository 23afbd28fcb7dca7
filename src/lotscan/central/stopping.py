"""Knowing at once that central is told to stop (SIGTERM, Ctrl-C), so its long-polls end then.

uvicorn's graceful shutdown closes the listening socket and waits for the requests in flight;
a station's long-poll (`/sync/wait`) waits up to its timeout, so uvicorn gave up after its
grace period and cancelled it: a CancelledError traceback in the log, ~5 s late (tester V5).
`Stopping.watch` chains a handler in front of the one the server installed for SIGTERM and
SIGINT (uvicorn's, which still runs and still decides): it sets an event the wait loop watches,
so every long-poll answers "nothing urgent" at once and the station asks again elsewhere or
later. Outside the main thread (an app served by a test client) there are no signals to watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import weakref
from collections.abc import Callable
from types import FrameType
from typing import Any

log = logging.getLogger("lotscan.central")

WATCHED = (signal.SIGTERM, signal.SIGINT)

Handler = Callable[[int, FrameType | None], Any]


class Stopping:
    """Set once the process is told to stop; long-polls wait on it. Safe from any thread and
    event loop (a test client runs each request in a loop of its own)."""

    def __init__(self) -> None:
        self._set = threading.Event()
        self._lock = threading.Lock()
        self._waking: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event] = (
            weakref.WeakKeyDictionary()
        )
        self._chained: dict[int, Handler] = {}

    def is_set(self) -> bool:
        return self._set.is_set()

    async def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True at once when central is stopping."""
        loop = asyncio.get_running_loop()
        with self._lock:
            event = self._waking.setdefault(loop, asyncio.Event())
        if not self._set.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), seconds)
        return self._set.is_set()

    def set(self, why: str) -> None:
        """Central is stopping: every wait ends now."""
        if self._set.is_set():
            return
        self._set.set()
        log.info("central is stopping (%s): the stations' long-polls are answered now", why)
        with self._lock:
            waking = list(self._waking.items())
        for loop, event in waking:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    def watch(self) -> None:
        """Chain in front of the server's own SIGTERM/SIGINT handlers (main thread only; a
        signal with no Python handler of the server's is left alone)."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in WATCHED:
            previous = signal.getsignal(sig)
            if not callable(previous):
                continue
            self._chained[sig] = previous
            signal.signal(sig, self._handler(loop, previous))

    def unwatch(self) -> None:
        """Put the server's handlers back (the app's lifespan ends)."""
        for sig, previous in self._chained.items():
            signal.signal(sig, previous)
        self._chained.clear()

    def _handler(self, loop: asyncio.AbstractEventLoop, previous: Handler) -> Handler:
        def stop(sig: int, frame: FrameType | None) -> None:
            # Nothing that takes a lock here (a signal handler interrupts the main thread
            # anywhere, maybe inside logging or inside `set`): the loop does it.
            loop.call_soon_threadsafe(self.set, signal.Signals(sig).name)
            previous(sig, frame)

        return stop
