"""Start every configured device of a station, each under its own supervisor.

    manager = DeviceManager([DeviceConfig.from_mapping(d) for d in station["devices"]], post)
    manager.start()   # returns at once; scans and states arrive at `post`
    ...
    manager.stop()

A device whose profile is unknown or whose driver cannot load is reported as ``error`` and
skipped; the others run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from lotscan.devices.config import DeviceConfig
from lotscan.devices.messages import DeviceState, Sink, State
from lotscan.devices.portal import Portal
from lotscan.devices.profiles import Profile
from lotscan.devices.seriallink import choice_for
from lotscan.devices.supervisor import Reader, Supervisor

log = logging.getLogger(__name__)


def build_reader(config: DeviceConfig, profile: Profile, post: Sink) -> tuple[Reader, Portal | None]:
    """The reader for one device; raises ProfileError/ConfigError/DeviceError when it cannot be."""
    choice = choice_for(config.port, profile, config.serial_number)
    portal = None
    if profile.extra.get("portal"):
        portal = Portal(config.id, post, quiet_s=float(profile.extra.get("portal_quiet_s", 0.5)))
    family = profile.family
    if family == "serial-scanner":
        from lotscan.devices.serial_reader import SerialScannerReader

        return SerialScannerReader(config.id, profile, choice, post), None
    if family == "r2000":
        from lotscan.devices.r2000_reader import R2000Reader

        return R2000Reader(config.id, profile, choice, post, portal=portal), portal
    if family == "rdm6300":
        from lotscan.devices.rdm6300 import BadgeReader

        return BadgeReader(config.id, profile, choice, post), None
    if family == "mqtt-rfid":
        from lotscan.devices.mqtt_reader import MqttTagReader

        return MqttTagReader(config.id, profile, config.port, post, portal=portal), portal
    if family == "camera":
        from lotscan.devices.camera import CameraReader

        return CameraReader(config.id, profile, config.port or "0", post), None
    if family == "hid-scanner":
        from lotscan.devices.hid_reader import HidScannerReader

        return HidScannerReader(config.id, profile, config.port, post), None
    raise ValueError(f"no reader for family {family!r}")


class DeviceManager:
    def __init__(self, configs: Iterable[DeviceConfig | Mapping[str, Any]], post: Sink) -> None:
        self.post = post
        self.configs = [c if isinstance(c, DeviceConfig) else DeviceConfig.from_mapping(c) for c in configs]
        self.supervisors: dict[str, Supervisor] = {}
        self.portals: dict[str, Portal] = {}
        self.failed: dict[str, DeviceState] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        for config in self.configs:
            if not config.enabled or config.id in self.supervisors:
                continue
            try:
                profile = config.resolve_profile()
                reader, portal = build_reader(config, profile, self.post)
            except Exception as exc:  # one bad entry must not stop the station
                state = DeviceState(config.id, State.ERROR, f"{exc}")
                self.failed[config.id] = state
                self.post(state)
                continue
            supervisor = Supervisor(
                reader,
                self.post,
                backoff_initial_s=profile.backoff_initial_s,
                backoff_max_s=profile.backoff_max_s,
            )
            self.supervisors[config.id] = supervisor
            if portal:
                self.portals[config.id] = portal
            supervisor.start()

    def stop(self) -> None:
        for supervisor in self.supervisors.values():
            supervisor.request_stop()
        for supervisor in self.supervisors.values():
            supervisor.stop()
        self.supervisors.clear()

    def states(self) -> list[DeviceState]:
        """Current state of every configured device, for a status screen."""
        return [s.snapshot() for s in self.supervisors.values()] + list(self.failed.values())

    def expect(
        self, device_id: str, epcs: Iterable[str] = (), gtins: Mapping[str, int] | None = None
    ) -> None:
        """Tell a portal reader what the next pallet should carry (from the ASN)."""
        if device_id not in self.portals:
            raise KeyError(f"device {device_id!r} is not an RFID reader in portal mode")
        self.portals[device_id].expect(epcs, gtins)

    def close_batch(self, device_id: str) -> None:
        """End a portal batch now (e.g. the dock door closed) instead of waiting for quiet."""
        self.portals[device_id].close()
