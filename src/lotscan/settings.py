"""Station settings: one TOML file, with embedded defaults for everything.

Where the file is looked for, first match wins:
  1. the --config option of a command;
  2. the LOTSCAN_CONFIG environment variable;
  3. $XDG_CONFIG_HOME/lotscan/station.toml (default ~/.config/lotscan/station.toml).
No file at all is fine: the embedded defaults run a demo station in ~/.local/share/lotscan.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lotscan import paths
from lotscan.codes.internal import DEFAULT_PREFIXES
from lotscan.domain.lot_numbers import DEFAULT_PATTERN, LotPattern, LotPatternError, check_lot_pattern
from lotscan.domain.policy import Policy, PolicyError

DEFAULT_INTERNAL_PREFIXES = dict(DEFAULT_PREFIXES)


class SettingsError(ValueError):
    """A station.toml that cannot be used; the message names the key and the fix."""


@dataclass(frozen=True)
class StationSettings:
    station_id: str = "ST-01"
    site: str = "PLANT1"
    database: Path = field(default_factory=lambda: paths.station_database())
    server_url: str | None = None
    line: str = "L1"
    lot_pattern: LotPattern = field(default_factory=lambda: LotPattern(DEFAULT_PATTERN))
    policy: Policy = field(default_factory=Policy)
    internal_prefixes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_INTERNAL_PREFIXES))
    gs_substitutes: tuple[str, ...] = ()
    devices: tuple[dict[str, Any], ...] = ()
    label_destination: str | None = None
    label_template: str = "case"
    source: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "config_file": str(self.source) if self.source else "(none: embedded defaults)",
            "station": {
                "id": self.station_id,
                "site": self.site,
                "database": str(self.database),
                "server_url": self.server_url,
                "line": self.line,
            },
            "lots": {"pattern": self.lot_pattern.pattern},
            "codes": {
                "internal_prefixes": self.internal_prefixes,
                "gs_substitutes": list(self.gs_substitutes),
            },
            "policy": {
                "levels": {c.value: lv.value for c, lv in self.policy.levels.items()},
                "overridable": sorted(c.value for c in self.policy.overridable),
                "override_reasons": list(self.policy.override_reasons),
                "duplicate_window_s": self.policy.duplicate_window_s,
                "require_pin": self.policy.require_pin,
                "idle_signout_s": self.policy.idle_signout_s,
            },
            "labels": {"destination": self.label_destination, "template": self.label_template},
            "devices": [dict(d) for d in self.devices],
        }


def resolve_config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise SettingsError(f"config file {path} does not exist; check the --config path")
        return path
    env = os.environ.get("LOTSCAN_CONFIG")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise SettingsError(f"LOTSCAN_CONFIG={env} does not exist; fix or unset it")
        return path
    path = paths.station_config_file()
    return path if path.is_file() else None


def load_settings(
    explicit: str | os.PathLike[str] | None = None, *, database: str | None = None
) -> StationSettings:
    path = resolve_config_path(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path} is not valid TOML: {exc}") from exc
        except OSError as exc:
            raise SettingsError(f"cannot read {path}: {exc.strerror}") from exc
    settings = _from_mapping(data, path)
    env_db = os.environ.get("LOTSCAN_DB")
    chosen_db = database or env_db
    if chosen_db:
        settings = _replace(settings, database=Path(chosen_db).expanduser())
    return settings


def _from_mapping(data: dict[str, Any], path: Path | None) -> StationSettings:
    where = str(path) if path else "settings"
    station = _table(data, "station", where)
    codes = _table(data, "codes", where)
    lots = _table(data, "lots", where)
    labels = _table(data, "labels", where)
    base = path.parent if path else Path.cwd()
    database = station.get("database")
    try:
        policy = Policy.from_mapping(_table(data, "policy", where))
        pattern = LotPattern(str(lots.get("pattern", DEFAULT_PATTERN)))
        check_lot_pattern(
            pattern, station=str(station.get("id", "ST-01")), line=str(station.get("line", "L1"))
        )
    except (PolicyError, LotPatternError) as exc:
        raise SettingsError(f"{where}: {exc}") from exc
    prefixes = codes.get("internal_prefixes", DEFAULT_INTERNAL_PREFIXES)
    if not isinstance(prefixes, dict):
        raise SettingsError(f"{where}: codes.internal_prefixes must be a table of prefix = type")
    devices = data.get("devices", [])
    if not isinstance(devices, list) or not all(isinstance(d, dict) for d in devices):
        raise SettingsError(f"{where}: devices must be an array of tables ([[devices]])")
    return StationSettings(
        station_id=str(station.get("id", "ST-01")),
        site=str(station.get("site", "PLANT1")),
        database=(base / Path(database).expanduser()) if database else paths.station_database(),
        server_url=station.get("server_url"),
        line=str(station.get("line", "L1")),
        lot_pattern=pattern,
        policy=policy,
        internal_prefixes={str(k): str(v) for k, v in prefixes.items()},
        gs_substitutes=tuple(str(s) for s in codes.get("gs_substitutes", ())),
        devices=tuple(devices),
        label_destination=labels.get("destination"),
        label_template=str(labels.get("template", "case")),
        source=path,
    )


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: [{key}] must be a table")
    return value


def _replace(settings: StationSettings, **changes: Any) -> StationSettings:
    from dataclasses import replace

    return replace(settings, **changes)
