"""Cut a scanner's byte stream into scans, then shape each scan per its profile.

``Framer`` ends a scan at the profile's suffix (CR, LF, CRLF, ETX, TAB) and/or after a pause
between bytes. ``shape_scan`` strips the prefix, splits off or strips an AIM symbology id and
turns a GS substitute back into GS (0x1D).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lotscan.devices.profiles import Profile

GS = b"\x1d"
# ]Cm: a "]", a symbology letter, one modifier character (AIM ISO/IEC 15424)
_AIM = re.compile(rb"\](?P<id>[A-Za-z][0-9A-Za-z])")
# Controls a scanner legitimately sends inside data: TAB, LF, CR (multi-line QR codes), and EOT,
# FS, GS, RS (GS1 separators, ISO/IEC 15434 envelopes)
_ALLOWED_CONTROLS = frozenset(b"\t\n\r\x04\x1c\x1d\x1e")


class Framer:
    """Feed bytes as they arrive; get complete frames back.

    With a suffix, a frame ends at the suffix; with ``interbyte_timeout_s`` > 0, a pause that long
    also ends it (the only way when the suffix is NONE). Partial data older than
    ``stale_after_s`` with no suffix is dropped and counted: it is noise, not a scan.
    """

    def __init__(
        self,
        suffix: bytes,
        *,
        interbyte_timeout_s: float = 0.0,
        max_frame_bytes: int = 8192,
        stale_after_s: float = 2.0,
    ) -> None:
        if not suffix and interbyte_timeout_s <= 0:
            raise ValueError("a framer needs a suffix or an inter-byte timeout")
        self.suffix = suffix
        self.interbyte_timeout_s = interbyte_timeout_s
        self.max_frame_bytes = max_frame_bytes
        self.stale_after_s = stale_after_s
        self._buffer = bytearray()
        self._last_byte_at = 0.0
        self.dropped_bytes = 0

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes, now: float) -> list[bytes]:
        frames: list[bytes] = []
        if self._buffer and self._idle(now):
            frames += self._flush_idle()
        self._buffer += data
        self._last_byte_at = now
        if self.suffix:
            while True:
                end = self._buffer.find(self.suffix)
                if end < 0:
                    break
                frames.append(bytes(self._buffer[:end]))
                del self._buffer[: end + len(self.suffix)]
        if len(self._buffer) > self.max_frame_bytes:
            self.dropped_bytes += len(self._buffer)
            self._buffer.clear()
        return [frame for frame in frames if frame]

    def poll(self, now: float) -> list[bytes]:
        """Frames that ended by silence; call this whenever a read times out."""
        if self._buffer and self._idle(now):
            return [frame for frame in self._flush_idle() if frame]
        return []

    def reset(self) -> None:
        self._buffer.clear()

    def next_deadline(self) -> float | None:
        if not self._buffer:
            return None
        wait = self.interbyte_timeout_s if self.interbyte_timeout_s > 0 else self.stale_after_s
        return self._last_byte_at + wait

    def _idle(self, now: float) -> bool:
        quiet = now - self._last_byte_at
        if self.interbyte_timeout_s > 0 and quiet >= self.interbyte_timeout_s:
            return True
        return bool(self.suffix) and quiet >= self.stale_after_s

    def _flush_idle(self) -> list[bytes]:
        frame = bytes(self._buffer)
        self._buffer.clear()
        if self.interbyte_timeout_s > 0:
            return [frame]
        self.dropped_bytes += len(frame)  # suffix framing: a suffix never came
        return []


@dataclass(frozen=True, slots=True)
class ShapedScan:
    data: bytes
    aim_id: str | None


def shape_scan(frame: bytes, profile: Profile) -> ShapedScan:
    """Apply the profile's prefix, AIM id and GS-substitute rules to one frame."""
    data = frame
    prefix = profile.prefix.encode("latin-1")
    if prefix and data.startswith(prefix):
        data = data[len(prefix) :]
    if data.startswith(b"\x02"):
        data = data[1:]  # STX ... ETX framing
    data = data.strip(b"\r\n")
    aim_id: str | None = None
    if profile.aim_ids != "none":
        match = _AIM.match(data)
        if match:
            data = data[match.end() :]
            if profile.aim_ids == "keep":
                aim_id = "]" + match.group("id").decode("ascii")
    if profile.gs_substitute:
        data = data.replace(profile.gs_substitute.encode("latin-1"), GS)
    return ShapedScan(data, aim_id)


def looks_like_garbage(frame: bytes) -> bool:
    """True for what a wrong baud rate or line noise produces, false for any real scan.

    Real scans are valid UTF-8 (ASCII for GS1) with no control characters other than TAB,
    LF, CR, EOT, FS, GS and RS.
    """
    try:
        frame.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(byte < 0x20 and byte not in _ALLOWED_CONTROLS for byte in frame) or b"\x7f" in frame
