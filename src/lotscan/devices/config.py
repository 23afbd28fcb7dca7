"""One configured device of a station: a ``[[devices]]`` table of the station TOML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lotscan.devices.profiles import Profile, load_profile

_OWN_KEYS = {"id", "profile", "port", "url", "serial_number", "enabled"}


class ConfigError(ValueError):
    """A device entry that cannot be used as written."""


@dataclass(frozen=True)
class DeviceConfig:
    """``id``, ``profile``, ``port`` (path, by-id path, ``VID:PID``, camera index, pyserial URL)
    or ``url`` (network readers, streams); every other key overrides the profile."""

    id: str
    profile: str
    port: str | None = None
    serial_number: str | None = None
    enabled: bool = True
    overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, entry: Mapping[str, Any]) -> DeviceConfig:
        if not isinstance(entry, Mapping):
            raise ConfigError(f"a [[devices]] entry must be a table, not {type(entry).__name__}")
        missing = [key for key in ("id", "profile") if not entry.get(key)]
        if missing:
            raise ConfigError(
                f"device entry {dict(entry)!r} lacks {', '.join(missing)}: "
                'write e.g. id = "dock-1-scanner", profile = "honeywell-serial"'
            )
        if entry.get("port") and entry.get("url"):
            raise ConfigError(f"device {entry['id']!r}: give either port or url, not both")
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(
                f"device {entry['id']!r}: enabled = {enabled!r} must be true or false (not quoted)"
            )
        port = entry.get("port", entry.get("url"))
        overrides = {key: value for key, value in entry.items() if key not in _OWN_KEYS}
        return cls(
            id=str(entry["id"]),
            profile=str(entry["profile"]),
            port=None if port is None else str(port),
            serial_number=entry.get("serial_number"),
            enabled=enabled,
            overrides=overrides,
        )

    def resolve_profile(self) -> Profile:
        """The profile with this entry's overrides applied; raises ProfileError if unknown."""
        return load_profile(self.profile).with_overrides(self.overrides)
