"""What devices post to the station: scans, tag reads, badge reads and state changes.

Every reader posts these plain dataclasses to one callable sink (``post(message)``), which must be
thread-safe: a Textual app's ``post_message``, or
``loop.call_soon_threadsafe(queue.put_nowait, m)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from lotscan.codes.scan import RawScan


class State(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class TagInfo:
    """What an RFID reader says about one tag besides its EPC."""

    epc_hex: str
    pc: int | None = None
    rssi_dbm: float | None = None
    antenna: int | None = None


@dataclass(frozen=True, slots=True)
class ScanRead:
    """One scan (barcode, or an RFID tag when ``tag`` is set), deduplicated by the reader."""

    raw: RawScan
    tag: TagInfo | None = None


@dataclass(frozen=True, slots=True)
class BadgeRead:
    """An operator badge (125 kHz card) presented to a badge reader."""

    device_id: str
    card_hex: str  # 10 hex digits as the card sends them: version byte + 32-bit id
    card_number: int  # the 32-bit id, as usually printed on the card
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class DeviceState:
    """A change of a device's connection state, or a periodic refresh of its counters."""

    device_id: str
    state: State
    detail: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CameraStatus:
    """What the UI shows under a camera: decode speed and the last code seen."""

    device_id: str
    fps: float  # frames decoded per second, over the last second
    decode_ms: float  # mean decode time per frame
    frames: int
    dropped: int
    last_text: str | None = None
    last_symbology: str | None = None
    last_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PortalResult:
    """One pallet through a dock door, judged as a whole against what was expected."""

    device_id: str
    tags: tuple[str, ...]  # EPC hex of every distinct tag read in the batch
    expected: tuple[str, ...]  # tags that matched an expected EPC or GTIN
    missing: tuple[str, ...]  # expected EPCs not read, and "gtin xN" shortfalls
    unexpected: tuple[str, ...]  # tags read that nothing expected
    started_at: datetime
    ended_at: datetime
    judge_ms: float

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unexpected


Message = ScanRead | BadgeRead | DeviceState | CameraStatus | PortalResult
Sink = Callable[[Any], None]


def asyncio_sink(loop: Any, queue: Any) -> Sink:
    """A sink for asyncio code: posts each message to ``queue`` on ``loop``, from any thread."""
    return lambda message: loop.call_soon_threadsafe(queue.put_nowait, message)
