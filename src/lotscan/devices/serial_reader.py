"""Serial (and USB-CDC, socket://, rfc2217://) barcode scanners."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import serial

from lotscan.codes.scan import RawScan, Source
from lotscan.devices.framing import Framer, looks_like_garbage, shape_scan
from lotscan.devices.messages import ScanRead, Sink
from lotscan.devices.profiles import Profile
from lotscan.devices.seriallink import PortChoice, open_serial, read_available, resolve_port
from lotscan.devices.supervisor import Reader


class SerialScannerReader(Reader):
    def __init__(self, device_id: str, profile: Profile, choice: PortChoice, post: Sink) -> None:
        super().__init__(device_id, post)
        self.profile = profile
        self.choice = choice
        self.port: serial.SerialBase | None = None
        self.framer = Framer(
            profile.suffix_bytes,
            interbyte_timeout_s=profile.interbyte_timeout_ms / 1000,
            max_frame_bytes=profile.max_frame_bytes,
        )
        self._path = ""

    @property
    def description(self) -> str:
        p = self.profile
        where = self._path or self.choice.describe()
        return f"{where} at {p.baud} {p.bytesize}{p.parity}{p.stopbits:g}"

    def open(self) -> None:
        self._path = resolve_port(self.choice)
        timeout = 0.05
        if self.profile.interbyte_timeout_ms > 0:
            timeout = min(timeout, self.profile.interbyte_timeout_ms / 2000)
        self.port = open_serial(self._path, self.profile, timeout=timeout)
        self.framer.reset()

    def close(self) -> None:
        port, self.port = self.port, None
        if port is not None:
            port.close()

    def run(self, stop: threading.Event) -> None:
        assert self.port is not None
        port = self.port
        while not stop.is_set():
            data = read_available(port)
            now = time.monotonic()
            if data:
                self.count("bytes", len(data))
                frames = self.framer.feed(data, now)
            else:
                frames = self.framer.poll(now)
            for frame in frames:
                self.handle_frame(frame)

    def handle_frame(self, frame: bytes) -> None:
        shaped = shape_scan(frame, self.profile)
        if not shaped.data:
            return
        if looks_like_garbage(shaped.data):
            self.count("garbage_frames")
            p = self.profile
            self.report(
                f"receiving garbage ({self.counters['garbage_frames']} frames dropped): check the "
                f"baud rate and framing (profile {p.name}: {p.baud} {p.bytesize}{p.parity}"
                f"{p.stopbits:g}, suffix {p.suffix})"
            )
            return
        self.count("scans")
        raw = RawScan(
            data=shaped.data,
            aim_id=shaped.aim_id,
            source=Source.SERIAL,
            device_id=self.device_id,
            received_at=datetime.now(UTC),
        )
        self.post(ScanRead(raw))

    def stats(self) -> dict[str, int]:
        return {**self.counters, "dropped_bytes": self.framer.dropped_bytes}
