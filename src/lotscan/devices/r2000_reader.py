"""A UHF reader speaking the R2000 protocol on a serial line (or socket:// to a serial server).

Real-time inventory (0x89) runs one round per command, so the reader re-issues it every
round, switching antennas between rounds when the profile lists several.
"""

from __future__ import annotations

import threading
import time

import serial

from lotscan.devices import r2000
from lotscan.devices.errors import DeviceError
from lotscan.devices.messages import Sink
from lotscan.devices.portal import Portal
from lotscan.devices.profiles import Profile
from lotscan.devices.rfid import TagFilter, TagSink
from lotscan.devices.seriallink import (
    PortChoice,
    open_serial,
    read_available,
    resolve_port,
    write_all,
)
from lotscan.devices.supervisor import Reader

_SILENT_ROUNDS_BEFORE_RECONNECT = 5


class R2000Reader(Reader):
    def __init__(
        self,
        device_id: str,
        profile: Profile,
        choice: PortChoice,
        post: Sink,
        *,
        portal: Portal | None = None,
    ) -> None:
        super().__init__(device_id, post)
        self.profile = profile
        self.choice = choice
        self.parser = r2000.FrameParser()
        self.filter = TagFilter(profile.rssi_threshold_dbm, profile.dedupe_window_s)
        self.tags = TagSink(device_id, post, self.filter, portal)
        self.port: serial.SerialBase | None = None
        self._path = ""

    @property
    def description(self) -> str:
        return f"R2000 reader on {self._path or self.choice.describe()} at {self.profile.baud} baud"

    def open(self) -> None:
        self._path = resolve_port(self.choice)
        self.port = open_serial(self._path, self.profile, timeout=0.02)
        self.parser.reset()
        if self.profile.power_dbm is not None:
            self._command(
                r2000.set_power_command(self.profile.power_dbm, self.profile.address),
                r2000.CMD_SET_OUTPUT_POWER,
                "set output power",
            )

    def close(self) -> None:
        port, self.port = self.port, None
        if port is not None:
            port.close()

    def run(self, stop: threading.Event) -> None:
        silent_rounds = 0
        antennas = self.profile.antennas or (1,)
        while not stop.is_set():
            for antenna in antennas:
                if stop.is_set():
                    return
                if len(antennas) > 1:
                    self._command(
                        r2000.set_antenna_command(antenna, self.profile.address),
                        r2000.CMD_SET_WORK_ANTENNA,
                        f"select antenna {antenna}",
                    )
                answered = self._inventory_round(stop)
                silent_rounds = 0 if answered else silent_rounds + 1
                if silent_rounds >= _SILENT_ROUNDS_BEFORE_RECONNECT:
                    raise DeviceError(
                        f"R2000 reader on {self._path} stopped answering inventory commands: "
                        f"check power, baud ({self.profile.baud}) and address "
                        f"(0x{self.profile.address:02X})"
                    )

    def _inventory_round(self, stop: threading.Event) -> bool:
        """One real-time inventory round; True if the reader answered at all."""
        assert self.port is not None
        write_all(self.port, r2000.inventory_command(self.profile.address))
        self.count("rounds")
        deadline = time.monotonic() + self.profile.round_timeout_s
        answered = False
        while not stop.is_set():
            now = time.monotonic()
            self.tags.tick(now)
            if now >= deadline:
                self.count("round_timeouts")
                return answered
            for frame in self.parser.feed(read_available(self.port)):
                answered = True
                item = r2000.interpret_frame(frame)
                if isinstance(item, r2000.TagReport):
                    self.count("tag_reports")
                    self.tags.tag(
                        item.epc_hex,
                        rssi_dbm=item.rssi_dbm,
                        antenna=item.antenna,
                        pc=item.pc,
                        now=now,
                    )
                elif isinstance(item, r2000.RoundEnd):
                    return True
                elif isinstance(item, r2000.CommandResult) and item.cmd == r2000.CMD_REAL_TIME_INVENTORY:
                    self.count("round_errors")
                    return True
        return answered

    def _command(self, frame: bytes, cmd: int, what: str) -> None:
        assert self.port is not None
        write_all(self.port, frame)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            for reply in self.parser.feed(read_available(self.port)):
                item = r2000.interpret_frame(reply)
                if isinstance(item, r2000.CommandResult) and item.cmd == cmd:
                    if not item.ok:
                        raise DeviceError(f"R2000 reader refused to {what}: error 0x{item.code:02X}")
                    return
        raise DeviceError(
            f"no answer from the R2000 reader on {self._path} to '{what}': check that it is "
            f"powered, the baud rate ({self.profile.baud}) and the address "
            f"(0x{self.profile.address:02X})"
        )

    def stats(self) -> dict[str, int]:
        return {
            **self.counters,
            **self.filter.stats(),
            "frames": self.parser.frames,
            "garbage_bytes": self.parser.garbage_bytes,
            "checksum_errors": self.parser.checksum_errors,
        }
