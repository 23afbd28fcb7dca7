"""125 kHz badge readers of the RDM6300 kind: ``STX, 10 hex, 2 hex checksum, ETX`` at 9600 baud.

The 10 hex digits are a version byte and a 32-bit card id; the checksum is the XOR of those
five bytes. A card held to the reader repeats every ~100 ms, so reads are deduplicated.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import serial

from lotscan.devices.messages import BadgeRead, Sink
from lotscan.devices.profiles import Profile
from lotscan.devices.rfid import TagFilter
from lotscan.devices.seriallink import PortChoice, open_serial, read_available, resolve_port
from lotscan.devices.supervisor import Reader

STX, ETX = 0x02, 0x03
FRAME_LEN = 14


@dataclass(frozen=True, slots=True)
class Badge:
    card_hex: str

    @property
    def card_number(self) -> int:
        return int(self.card_hex[2:], 16)


def badge_frame(card_hex: str) -> bytes:
    card = bytes.fromhex(card_hex)
    if len(card) != 5:
        raise ValueError("an RDM6300 card id is 10 hex digits")
    check = 0
    for byte in card:
        check ^= byte
    return bytes((STX,)) + card_hex.upper().encode() + f"{check:02X}".encode() + bytes((ETX,))


class BadgeParser:
    def __init__(self) -> None:
        self._buffer = bytearray()
        self.garbage_bytes = 0
        self.checksum_errors = 0

    def feed(self, data: bytes) -> list[Badge]:
        self._buffer += data
        badges: list[Badge] = []
        while True:
            start = self._buffer.find(STX)
            if start < 0:
                self.garbage_bytes += len(self._buffer)
                self._buffer.clear()
                break
            if start:
                self.garbage_bytes += start
                del self._buffer[:start]
            if len(self._buffer) < FRAME_LEN:
                break
            frame = bytes(self._buffer[:FRAME_LEN])
            badge = _parse(frame)
            if badge is None:
                if frame[-1] == ETX:
                    self.checksum_errors += 1
                else:
                    self.garbage_bytes += 1
                del self._buffer[:1]
                continue
            badges.append(badge)
            del self._buffer[:FRAME_LEN]
        return badges


def _parse(frame: bytes) -> Badge | None:
    if frame[0] != STX or frame[-1] != ETX:
        return None
    try:
        text = frame[1:13].decode("ascii")
        card = bytes.fromhex(text[:10])
        check = int(text[10:], 16)
    except (UnicodeDecodeError, ValueError):
        return None
    xor = 0
    for byte in card:
        xor ^= byte
    return Badge(text[:10].upper()) if xor == check else None


class BadgeReader(Reader):
    def __init__(self, device_id: str, profile: Profile, choice: PortChoice, post: Sink) -> None:
        super().__init__(device_id, post)
        self.profile = profile
        self.choice = choice
        self.parser = BadgeParser()
        self.filter = TagFilter(None, profile.dedupe_window_s)
        self.port: serial.SerialBase | None = None
        self._path = ""

    @property
    def description(self) -> str:
        return f"badge reader on {self._path or self.choice.describe()}"

    def open(self) -> None:
        self._path = resolve_port(self.choice)
        self.port = open_serial(self._path, self.profile, timeout=0.05)

    def close(self) -> None:
        port, self.port = self.port, None
        if port is not None:
            port.close()

    def run(self, stop: threading.Event) -> None:
        assert self.port is not None
        while not stop.is_set():
            for badge in self.parser.feed(read_available(self.port)):
                if self.filter.accept(badge.card_hex, None, time.monotonic()):
                    self.count("badges")
                    self.post(BadgeRead(self.device_id, badge.card_hex, badge.card_number, datetime.now(UTC)))
            if self.parser.garbage_bytes > 64 and not self.counters.get("badges"):
                self.report(f"receiving garbage: check the baud rate (profile: {self.profile.baud})")

    def stats(self) -> dict[str, int]:
        return {
            **self.counters,
            "garbage_bytes": self.parser.garbage_bytes,
            "checksum_errors": self.parser.checksum_errors,
        }
