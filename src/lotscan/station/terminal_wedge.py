"""The scanner that types into this terminal: its profile's terminator, timing and shaping.

A `[[devices]]` entry with ``port = "terminal"`` names the profile of the keyboard-wedge
scanner plugged into the kiosk (prefix, AIM ids, GS substitute, suffix, inter-key timeout).
Without one, Enter ends a scan and the line is passed on as typed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from lotscan.codes.scan import Source
from lotscan.devices.config import DeviceConfig
from lotscan.devices.framing import shape_scan
from lotscan.devices.profiles import Profile
from lotscan.settings import StationSettings
from lotscan.station.feed import QueuedScan
from lotscan.station.wedge import Line, WedgeConfig

log = logging.getLogger(__name__)
TERMINAL_PORTS = ("terminal", "tty", "stdin")


def is_terminal_entry(entry: dict[str, Any]) -> bool:
    return str(entry.get("port", "")).lower() in TERMINAL_PORTS


@dataclass(frozen=True)
class TerminalWedge:
    config: WedgeConfig
    profile: Profile | None = None
    device_id: str | None = None
    prefixes: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings: StationSettings) -> TerminalWedge:
        prefixes = tuple((kind, prefix) for prefix, kind in settings.internal_prefixes.items())
        for entry in settings.devices:
            if not is_terminal_entry(entry):
                continue
            try:
                config = DeviceConfig.from_mapping(entry)
                profile = config.resolve_profile()
            except Exception as exc:  # a bad entry must not stop the station: use the defaults
                log.warning("terminal scanner %r: %s; using Enter-terminated defaults", entry, exc)
                break
            wedge = WedgeConfig.for_suffix(profile.suffix, profile.interbyte_timeout_ms)
            return cls(wedge, profile, config.id, prefixes)
        return cls(WedgeConfig(), None, None, prefixes)

    def queued(self, line: Line) -> QueuedScan:
        text, aim_id = line.text, None
        if self.profile is not None and line.burst and not line.pasted:
            shaped = shape_scan(text.encode("utf-8", "surrogateescape"), self.profile)
            text, aim_id = shaped.data.decode("utf-8", "surrogateescape"), shaped.aim_id
        return QueuedScan(
            text,
            Source.KEYBOARD,
            aim_id=aim_id,
            burst=line.burst,
            pasted=line.pasted,
            last_key_at=line.ended,
        )

    def task_code(self, kind: str, code: str) -> str:
        """The scan text of a task chosen from a list, e.g. ASN:ASN-1001."""
        prefix = next((p for k, p in self.prefixes if k == kind), "")
        return f"{prefix}{code}"
