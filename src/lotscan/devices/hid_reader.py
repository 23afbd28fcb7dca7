"""Keyboard-wedge (HID) scanners on Linux kiosks, read with evdev.

The input device is grabbed exclusively, so scans never reach the terminal or another
program. Key events are decoded with the profile's keyboard layout, and framed like serial
data: Enter ends a scan, and a pause longer than the inter-key timeout ends one too.
evdev is an optional extra: ``pip install 'lotscan[hid]'``.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import select
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from lotscan.codes.scan import RawScan, Source
from lotscan.devices.errors import DeviceBusy, DeviceError, DeviceLost, DeviceMissing
from lotscan.devices.framing import Framer, ShapedScan, looks_like_garbage, shape_scan
from lotscan.devices.keymap import KeyDecoder
from lotscan.devices.messages import ScanRead, Sink
from lotscan.devices.profiles import Profile
from lotscan.devices.supervisor import Reader

EV_KEY = 1
EVDEV_MISSING = (
    "HID scanners need the optional evdev package: pip install 'lotscan[hid]' "
    "(or use the scanner in USB serial mode, which needs nothing extra)"
)


def load_evdev() -> Any:
    try:
        import evdev
    except ImportError as exc:
        raise DeviceError(EVDEV_MISSING) from exc
    return evdev


def find_input_device(port: str | None, profile: Profile) -> str:
    """The /dev/input/event* path for an explicit path or a profile's name patterns."""
    if port:
        if not os.path.exists(port):
            raise DeviceMissing(f"{port} is not present: plug the scanner in or fix the port")
        return port
    by_id = "/dev/input/by-id"
    if os.path.isdir(by_id):
        for name in sorted(os.listdir(by_id)):
            if any(fnmatch.fnmatch(name, pattern) for pattern in profile.by_id):
                return os.path.join(by_id, name)
    evdev = load_evdev()
    for path in evdev.list_devices():
        with evdev.InputDevice(path) as device:
            if any(fnmatch.fnmatch(device.name, pattern) for pattern in profile.names):
                return path
    raise DeviceMissing(f"no input device matches profile {profile.name}: is the scanner plugged in?")


class KeyScanAssembler:
    """Key events in, scans out: layout decoding, then the same framing and shaping as a
    serial scanner (Enter is the CR suffix; a pause past the inter-key timeout ends a scan)."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.keys = KeyDecoder(profile.layout)
        self.framer = Framer(
            profile.suffix_bytes,
            interbyte_timeout_s=profile.interbyte_timeout_ms / 1000,
            max_frame_bytes=profile.max_frame_bytes,
        )
        self.garbage_frames = 0

    def reset(self) -> None:
        self.keys = KeyDecoder(self.profile.layout)
        self.framer.reset()

    def feed(self, events: Iterable[tuple[int, int]], now: float) -> list[ShapedScan]:
        typed = "".join(self.keys.feed(code, value) for code, value in events)
        frames = self.framer.feed(typed.encode("utf-8"), now) if typed else self.framer.poll(now)
        scans = []
        for frame in frames:
            shaped = shape_scan(frame, self.profile)
            if not shaped.data or looks_like_garbage(shaped.data):
                self.garbage_frames += 1
                continue
            scans.append(shaped)
        return scans


class HidScannerReader(Reader):
    def __init__(self, device_id: str, profile: Profile, port: str | None, post: Sink) -> None:
        super().__init__(device_id, post)
        self.profile = profile
        self.port = port
        self.assembler = KeyScanAssembler(profile)
        self.device: Any = None
        self._path = ""

    @property
    def description(self) -> str:
        return f"keyboard-wedge scanner {self._path or self.port or self.profile.name} (grabbed)"

    def open(self) -> None:
        evdev = load_evdev()
        self._path = find_input_device(self.port, self.profile)
        try:
            device = evdev.InputDevice(self._path)
        except PermissionError as exc:
            raise DeviceError(
                f"no permission to read {self._path}: add the station user to the 'input' group"
            ) from exc
        except OSError as exc:
            raise DeviceMissing(f"cannot open {self._path}: {exc}") from exc
        try:
            device.grab()
        except OSError as exc:
            device.close()
            if exc.errno == errno.EBUSY:
                raise DeviceBusy(f"{self._path} is grabbed by another program") from exc
            raise DeviceError(f"cannot grab {self._path}: {exc}") from exc
        self.device = device
        self.assembler.reset()

    def close(self) -> None:
        device, self.device = self.device, None
        if device is not None:
            with contextlib.suppress(OSError):
                device.ungrab()
            device.close()

    def run(self, stop: threading.Event) -> None:
        device = self.device
        while not stop.is_set():
            try:
                ready, _, _ = select.select([device.fd], [], [], 0.05)
                events = list(device.read()) if ready else []
            except BlockingIOError:
                events = []
            except OSError as exc:
                raise DeviceLost(f"{self._path} went away: {exc}") from exc
            keys = [(e.code, e.value) for e in events if e.type == EV_KEY]
            for shaped in self.assembler.feed(keys, time.monotonic()):
                self.count("scans")
                raw = RawScan(shaped.data, shaped.aim_id, Source.KEYBOARD, self.device_id, datetime.now(UTC))
                self.post(ScanRead(raw))

    def stats(self) -> dict[str, int]:
        return {**self.counters, "garbage_frames": self.assembler.garbage_frames}
