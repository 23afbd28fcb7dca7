"""What every RFID reader does with a tag read: RSSI threshold, dedupe per tag, then either
post it as a scan or hand it to a portal batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from lotscan.codes.scan import RawScan, Source
from lotscan.devices.messages import ScanRead, Sink, TagInfo
from lotscan.devices.portal import Portal


@dataclass(slots=True)
class TagFilter:
    """Drops reads weaker than ``rssi_threshold_dbm`` and repeats of a tag seen within
    ``dedupe_window_s`` (a tag sitting in the field is read many times a second)."""

    rssi_threshold_dbm: float | None = None
    dedupe_window_s: float = 2.0
    passed: int = 0
    too_weak: int = 0
    repeats: int = 0
    _last_seen: dict[str, float] = field(default_factory=dict, repr=False)

    def accept(self, epc_hex: str, rssi_dbm: float | None, now: float) -> bool:
        if (
            self.rssi_threshold_dbm is not None
            and rssi_dbm is not None
            and rssi_dbm < self.rssi_threshold_dbm
        ):
            self.too_weak += 1
            return False
        last = self._last_seen.get(epc_hex)
        self._last_seen[epc_hex] = now
        if last is not None and now - last < self.dedupe_window_s:
            self.repeats += 1
            return False
        self.passed += 1
        if len(self._last_seen) > 50_000:
            self._forget_before(now - self.dedupe_window_s)
        return True

    def _forget_before(self, cutoff: float) -> None:
        self._last_seen = {epc: t for epc, t in self._last_seen.items() if t >= cutoff}

    def stats(self) -> dict[str, int]:
        return {
            "tags_passed": self.passed,
            "tags_too_weak": self.too_weak,
            "tag_repeats": self.repeats,
        }


class TagSink:
    """Filters tag reads and posts them: one ScanRead per new tag, or into a portal batch."""

    def __init__(
        self, device_id: str, post: Sink, tag_filter: TagFilter, portal: Portal | None = None
    ) -> None:
        self.device_id = device_id
        self.post = post
        self.filter = tag_filter
        self.portal = portal

    def tag(
        self,
        epc_hex: str,
        *,
        rssi_dbm: float | None,
        antenna: int | None,
        pc: int | None,
        now: float,
    ) -> None:
        epc_hex = epc_hex.upper()
        if self.portal is not None:
            # a portal wants every tag once per batch; its own set dedupes
            if (
                self.filter.rssi_threshold_dbm is not None
                and rssi_dbm is not None
                and (rssi_dbm < self.filter.rssi_threshold_dbm)
            ):
                self.filter.too_weak += 1
                return
            self.portal.add(epc_hex, now)
            return
        if not self.filter.accept(epc_hex, rssi_dbm, now):
            return
        raw = RawScan(
            data=epc_hex.encode("ascii"),
            source=Source.RFID,
            device_id=self.device_id,
            received_at=datetime.now(UTC),
        )
        self.post(ScanRead(raw, TagInfo(epc_hex, pc, rssi_dbm, antenna)))

    def tick(self, now: float) -> None:
        if self.portal is not None:
            self.portal.tick(now)
