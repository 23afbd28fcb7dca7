"""Devices into the station: readers post messages from their own threads; the app gets them as
`DeviceEvent`s and queues scans with everything else. Starting and stopping run off the UI."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from textual.app import App
from textual.message import Message

from lotscan.devices.messages import BadgeRead, DeviceState, PortalResult, ScanRead
from lotscan.station.feed import QueuedScan
from lotscan.station.terminal_wedge import is_terminal_entry

log = logging.getLogger(__name__)


class DeviceEvent(Message):
    def __init__(self, message: Any) -> None:
        super().__init__()
        self.message = message


class DeviceLink:
    def __init__(self, entries: Iterable[dict[str, Any]], post: Callable[[Message], object]) -> None:
        self.entries = [dict(e) for e in entries if not is_terminal_entry(e)]
        self._post = post
        self._manager: Any = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self.entries)

    def sink(self, message: Any) -> None:
        """Called from reader threads: App.post_message is thread-safe."""
        self._post(DeviceEvent(message))

    def start(self, app: App[Any]) -> None:
        app.run_worker(self._start, thread=True, group="devices", name="device-start")

    def _start(self) -> None:
        from lotscan.devices.manager import DeviceManager

        with self._lock:
            try:
                self._manager = DeviceManager(self.entries, self.sink)
                self._manager.start()
            except Exception as exc:  # the station scans on without devices
                log.exception("devices failed to start")
                self.sink(DeviceState("devices", _error_state(), str(exc)))

    def stop(self) -> None:
        with self._lock:
            if self._manager is not None:
                threading.Thread(target=self._manager.stop, name="device-stop", daemon=True).start()
                self._manager = None

    @staticmethod
    def queued(message: Any) -> QueuedScan | None:
        if isinstance(message, ScanRead):
            raw = message.raw
            text = raw.data.decode("utf-8", "surrogateescape")
            device = raw.device_id or "device"
            return QueuedScan(text, raw.source, aim_id=raw.aim_id, device_id=device, raw=raw)
        if isinstance(message, BadgeRead):
            return QueuedScan(
                str(message.card_number), device_id=message.device_id, badge=str(message.card_number)
            )
        return None

    @staticmethod
    def portal_summary(message: Any) -> tuple[bool, str] | None:
        """A pallet through an RFID portal: complete or not, in words."""
        if not isinstance(message, PortalResult):
            return None
        text = f"{len(message.tags)} tags, {len(message.expected)} expected"
        if message.missing:
            text += f"; MISSING {', '.join(message.missing[:3])}"
        if message.unexpected:
            text += f"; {len(message.unexpected)} unexpected"
        return message.complete, text

    @staticmethod
    def state_of(message: Any) -> tuple[str, str] | None:
        if isinstance(message, DeviceState):
            return message.device_id, message.state.value
        if isinstance(message, PortalResult):
            return message.device_id, "connected"
        return None


def _error_state() -> Any:
    from lotscan.devices.messages import State

    return State.ERROR
