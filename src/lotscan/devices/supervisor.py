"""Run one reader in its own thread, reopen it after unplug or error, and report its state.

A reader only posts scans and its own counters; the supervisor posts every state change as a
``DeviceState`` to the same sink. Nothing here blocks the caller or touches any UI.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from lotscan.devices.errors import DeviceError
from lotscan.devices.messages import DeviceState, Sink, State

log = logging.getLogger(__name__)


class Reader(ABC):
    """One device. ``open`` connects, ``run`` reads until ``stop`` is set or the device fails
    (raise a DeviceError), ``close`` releases it. ``run`` must look at ``stop`` at least every
    100 ms so a station shuts down promptly."""

    def __init__(self, device_id: str, post: Sink) -> None:
        self.device_id = device_id
        self.post = post
        self.counters: dict[str, int] = {}
        self._report: Callable[[str], None] | None = None

    def bind_reporter(self, report: Callable[[str], None]) -> None:
        self._report = report

    def report(self, detail: str) -> None:
        """Say something about a connected device, e.g. that it sends garbage (wrong baud?)."""
        if self._report:
            self._report(detail)

    def count(self, name: str, amount: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + amount

    @property
    def description(self) -> str:
        return self.device_id

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def run(self, stop: threading.Event) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def stats(self) -> dict[str, Any]:
        return dict(self.counters)


class Supervisor:
    """Keeps one reader going: open, read, and after any failure wait and reopen.

    Backoff doubles from ``backoff_initial_s`` to ``backoff_max_s`` while the device stays away
    and resets once it has been connected; a small max keeps replug-to-reading under 2 s.
    """

    def __init__(
        self,
        reader: Reader,
        post: Sink,
        *,
        backoff_initial_s: float = 0.1,
        backoff_max_s: float = 1.0,
    ) -> None:
        self.reader = reader
        self.post = post
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.state = State.STOPPED
        self.detail = ""
        self.reconnects = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        reader.bind_reporter(lambda detail: self._set(State.CONNECTED, detail))

    @property
    def device_id(self) -> str:
        return self.reader.device_id

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=f"device:{self.device_id}", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the reader to stop without waiting (stop many devices in parallel)."""
        self._stop.set()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        self._set(State.STOPPED, "stopped")

    def snapshot(self) -> DeviceState:
        return DeviceState(self.device_id, self.state, self.detail, self._stats())

    def _stats(self) -> dict[str, Any]:
        return {**self.reader.stats(), "reconnects": self.reconnects}

    def _set(self, state: State, detail: str) -> None:
        if (state, detail) == (self.state, self.detail):
            return
        self.state, self.detail = state, detail
        log.info("device %s: %s %s", self.device_id, state, detail)
        try:
            self.post(DeviceState(self.device_id, state, detail, self._stats()))
        except Exception:  # a sink that fails (UI shutting down) must not kill the supervisor
            log.exception("posting the state of %s failed", self.device_id)

    def _loop(self) -> None:
        delay = self.backoff_initial_s
        ever_connected = False
        while not self._stop.is_set():
            if self.state not in (State.DISCONNECTED, State.ERROR):
                self._set(State.CONNECTING, f"opening {self.reader.description}")
            try:
                self.reader.open()
            except DeviceError as exc:
                self._set(State(exc.state), str(exc))
                self._safe_close()
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff_max_s)
                continue
            except Exception as exc:  # a driver bug must not kill the station
                log.exception("device %s failed to open", self.device_id)
                self._set(State.ERROR, f"{type(exc).__name__}: {exc}")
                self._safe_close()
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff_max_s)
                continue
            if ever_connected:
                self.reconnects += 1
            ever_connected = True
            self._set(State.CONNECTED, f"reading {self.reader.description}")
            connected_at = time.monotonic()
            try:
                self.reader.run(self._stop)
            except DeviceError as exc:
                self._set(State(exc.state), str(exc))
            except Exception as exc:
                log.exception("device %s failed while reading", self.device_id)
                self._set(State.ERROR, f"{type(exc).__name__}: {exc}")
            finally:
                self._safe_close()
            # a device that keeps failing right after connecting backs off like a missing one
            quick_failure = time.monotonic() - connected_at < 1.0
            delay = min(delay * 2, self.backoff_max_s) if quick_failure else self.backoff_initial_s
            if not self._stop.is_set():
                self._stop.wait(delay)
        self._safe_close()

    def _safe_close(self) -> None:
        try:
            self.reader.close()
        except Exception:
            log.debug("closing %s failed", self.device_id, exc_info=True)
