"""Station settings: one TOML file, checked strictly, over defaults written once (below, in
`StationSettings`, and in `Policy` for [policy]).

Where the file is looked for, first match wins:
  1. the --config option of a command;
  2. the LOTSCAN_CONFIG environment variable;
  3. $XDG_CONFIG_HOME/lotscan/station.toml (default ~/.config/lotscan/station.toml).
No file at all is fine: the embedded defaults run a demo station in ~/.local/share/lotscan.
The station cache can also be set by --db, then $LOTSCAN_DB. A file with an unknown key, a value
of the wrong type or out of range is refused (`SettingsError`, one line per mistake naming the
file, the key and what is allowed); the schema is in `lotscan.settings.schema`.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lotscan import paths
from lotscan.codes.internal import DEFAULT_PREFIXES
from lotscan.domain.lot_numbers import DEFAULT_PATTERN, LotPattern, LotPatternError, check_lot_pattern
from lotscan.domain.policy import Policy, PolicyError
from lotscan.settings.schema import PolicyTable, StationFile, explain
from lotscan.textfiles import NotUtf8Error, read_utf8_text

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
    # {station} in lot numbers: the short part central gave at enrolment; None = station_id
    lot_station: str | None = None
    policy: Policy = field(default_factory=Policy)
    internal_prefixes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_INTERNAL_PREFIXES))
    gs_substitutes: tuple[str, ...] = ()
    devices: tuple[dict[str, Any], ...] = ()
    label_destination: str | None = None
    label_template: str = "case"
    source: Path | None = None
    # where each value came from, by dotted key ("station.id": "file /etc/..." | "default" | ...)
    origins: Mapping[str, str] = field(default_factory=dict)

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
                "split_label_window_s": self.policy.split_label_window_s,
                "require_pin": self.policy.require_pin,
                "idle_signout_s": self.policy.idle_signout_s,
                "pin_tries": self.policy.pin_tries,
                "pin_lockout_s": self.policy.pin_lockout_s,
            },
            "labels": {"destination": self.label_destination, "template": self.label_template},
            "devices": [dict(d) for d in self.devices],
            "origins": dict(self.origins),
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
    explicit: str | os.PathLike[str] | None = None,
    *,
    database: str | None = None,
    lot_station_of: Callable[[Path], str | None] | None = None,
) -> StationSettings:
    """The settings; `lot_station_of(database)` gives the {station} part of lot numbers central
    gave the cache at enrolment (None: not enrolled), and the lot pattern is checked with it."""
    path = resolve_config_path(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(read_utf8_text(path))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
        except NotUtf8Error as exc:
            raise SettingsError(str(exc)) from None
        except OSError as exc:
            raise SettingsError(f"cannot read {path}: {exc.strerror}") from exc
    settings = settings_from_mapping(data, path, check_lots=lot_station_of is None)
    for value, origin in ((database, "option --db"), (os.environ.get("LOTSCAN_DB"), "env LOTSCAN_DB")):
        if value:
            origins = {**settings.origins, "station.database": origin}
            settings = replace(settings, database=Path(value).expanduser(), origins=origins)
            break
    if lot_station_of is not None:
        settings = replace(settings, lot_station=lot_station_of(settings.database))
        check_lot_settings(settings, path or "station.toml")
    return settings


def _label_template(name: str, path: Path | None, where: Path | str) -> str:
    """[labels] template: a template's name, or a .toml file (relative to station.toml); one
    that does not exist is refused now, not when the first label is due (tester's #13b)."""
    if name.endswith(".toml"):
        file = (path.parent if path else Path.cwd()) / Path(name).expanduser()
        if not file.is_file():
            raise SettingsError(f"{where}: [labels] template = {name!r}: there is no file {file}")
        return str(file)
    known = sorted(paths.toml_files(paths.label_template_dirs()))
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise SettingsError(
            f"{where}: [labels] template = {name!r} is not a label template; {hint}"
            f"known: {', '.join(known) or 'none'} (or give a .toml file)"
        )
    return name


def check_lot_settings(settings: StationSettings, where: Path | str = "station.toml") -> None:
    """Refuse a [lots] pattern that could make a lot number no GS1 label carries, checked with
    the {station} part lot numbers really carry: central's part when the cache is enrolled
    (tester's #20: the check used the configured id even then), else the station id."""
    try:
        check_lot_pattern(
            settings.lot_pattern, station=settings.lot_station or settings.station_id, line=settings.line
        )
    except LotPatternError as exc:
        enrolled = (
            f" (enrolled: {{station}} is {settings.lot_station!r}, central's part)"
            if settings.lot_station
            else ""
        )
        raise SettingsError(f"{where}: [lots] pattern{enrolled}: {exc}") from None


# station.toml key -> StationSettings field, for the keys that are not [policy]
_FIELD_OF = {
    ("station", "id"): "station_id",
    ("station", "site"): "site",
    ("station", "database"): "database",
    ("station", "server_url"): "server_url",
    ("station", "line"): "line",
    ("lots", "pattern"): "lot_pattern",
    ("codes", "internal_prefixes"): "internal_prefixes",
    ("codes", "gs_substitutes"): "gs_substitutes",
    ("labels", "destination"): "label_destination",
    ("labels", "template"): "label_template",
}


def settings_from_mapping(
    data: dict[str, Any], path: Path | None = None, *, check_lots: bool = True
) -> StationSettings:
    """Settings from a parsed station.toml; raises SettingsError naming every mistake. With
    `check_lots` False the lot pattern is only read, and checked later (`check_lot_settings`) with the
    enrolled station part."""
    where = path or "station.toml"
    try:
        checked = StationFile.model_validate(data)
    except ValidationError as exc:
        raise SettingsError("\n".join(explain(exc, where))) from None
    origin = f"file {path}" if path else "file"
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for (table, key), name in _FIELD_OF.items():
        value = getattr(getattr(checked, table), key)
        origins[f"{table}.{key}"] = "default" if value is None else origin
        if value is not None:
            values[name] = value
    if "database" in values:
        base = path.parent if path else Path.cwd()
        values["database"] = base / Path(values["database"]).expanduser()
    if "gs_substitutes" in values:
        values["gs_substitutes"] = tuple(values["gs_substitutes"])
    policy_values = checked.policy.model_dump(exclude_none=True)
    for key in PolicyTable.model_fields:
        origins[f"policy.{key}"] = origin if key in policy_values else "default"
    origins["devices"] = origin if checked.devices else "default"
    defaults = StationSettings()
    try:
        values["policy"] = Policy.from_mapping(policy_values)
    except PolicyError as exc:
        raise SettingsError(f"{where}: {exc}") from None
    try:
        values["lot_pattern"] = LotPattern(values.get("lot_pattern", defaults.lot_pattern.pattern))
    except LotPatternError as exc:
        raise SettingsError(f"{where}: [lots] pattern: {exc}") from None
    if "label_template" in values:
        values["label_template"] = _label_template(values["label_template"], path, where)
    settings = StationSettings(**values, devices=tuple(checked.devices), source=path, origins=origins)
    if check_lots:
        check_lot_settings(settings, where)
    return settings
