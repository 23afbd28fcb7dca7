"""Device profiles: one TOML file per hardware model (shipped ones in the top-level ``drivers/``;
where else they are looked for: ``lotscan.paths.driver_dirs``).

A profile says how to talk to a model: protocol family, how to recognise its port, baud and
framing, prefix and suffix, AIM ids, GS substitute, keyboard layout, decoder formats and RFID
thresholds. Adding a compatible device is adding a file, not code (see drivers/README.md).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lotscan.paths import driver_dirs, toml_files
from lotscan.textfiles import NotUtf8Error, read_utf8_text

FAMILIES = ("serial-scanner", "hid-scanner", "camera", "r2000", "mqtt-rfid", "rdm6300")
SUFFIXES = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "ETX": b"\x03", "TAB": b"\t", "NONE": b""}
AIM_MODES = ("none", "keep", "strip")


class ProfileError(ValueError):
    """A profile that cannot be found or does not make sense."""


@dataclass(frozen=True)
class Profile:
    name: str
    family: str
    description: str = ""
    path: Path | None = None
    # [match]: how `lotscan devices` recognises the hardware
    vid_pid: tuple[str, ...] = ()
    by_id: tuple[str, ...] = ()  # fnmatch patterns on /dev/serial/by-id or /dev/input/by-id names
    names: tuple[str, ...] = ()  # fnmatch patterns on the product / input / camera name
    # [serial]
    baud: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1.0
    exclusive: bool = True
    # [framing]
    prefix: str = ""
    suffix: str = "CR"
    interbyte_timeout_ms: float = 0.0  # >0: a pause this long also ends a scan
    max_frame_bytes: int = 8192
    # [symbology]
    aim_ids: str = "none"  # none: device sends none | keep: split into RawScan.aim_id | strip
    gs_substitute: str = ""  # character the device sends in place of GS (0x1D), e.g. "|"
    # [hid]
    layout: str = "us"
    # [camera]
    backend: str = "zxing"
    formats: tuple[str, ...] = ()
    width: int = 1280
    height: int = 720
    roi: tuple[float, float, float, float] = ()  # type: ignore[assignment]  # x, y, w, h fractions
    dedupe_window_s: float = 2.0
    agree_frames: int = 2  # frames that must agree on a code without its own integrity check
    frame_budget_ms: float = 20.0  # CPU time per live frame for attempts past zxing-cpp
    # [rfid]
    address: int = 0xFF
    antennas: tuple[int, ...] = (1,)
    power_dbm: int | None = None
    rssi_threshold_dbm: float | None = None
    round_timeout_s: float = 0.5
    # [mqtt]
    host: str = "127.0.0.1"
    mqtt_port: int = 1883
    topic: str = ""
    payload: str = "auto"  # auto | impinj | zebra | generic
    # [supervisor]
    backoff_initial_s: float = 0.1
    backoff_max_s: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def suffix_bytes(self) -> bytes:
        return SUFFIXES[self.suffix]

    def with_overrides(self, overrides: dict[str, Any]) -> Profile:
        """This profile with some fields replaced, e.g. a station's `baud = 9600` override."""
        if not overrides:
            return self
        values = _coerce(overrides, source=f"overrides for profile {self.name!r}")
        if "extra" in values:
            values["extra"] = {**self.extra, **values["extra"]}
        profile = dataclasses.replace(self, **values)
        _validate(profile)
        return profile


_FIELDS = {f.name: f for f in dataclasses.fields(Profile)}
_TUPLE_FIELDS = {"vid_pid", "by_id", "names", "formats", "antennas", "roi"}
_SECTIONS = (
    "profile",
    "match",
    "serial",
    "framing",
    "symbology",
    "hid",
    "camera",
    "rfid",
    "mqtt",
    "supervisor",
)


def known_profiles() -> dict[str, Path]:
    """Every profile name found, mapped to its file."""
    return toml_files(driver_dirs())


def load_profile(name_or_path: str | os.PathLike[str]) -> Profile:
    """Load a profile by name (``honeywell-serial``) or by the path of a TOML file."""
    text = os.fspath(name_or_path)
    path = Path(text)
    if text.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise ProfileError(f"profile file {text} does not exist")
        return parse_profile(path)
    known = known_profiles()
    if text not in known:
        names = ", ".join(sorted(known)) or "(none: no drivers/ directory found; set LOTSCAN_DRIVERS)"
        raise ProfileError(
            f"unknown device profile {text!r}. Known profiles: {names}. "
            "Add a TOML file to drivers/ (see drivers/README.md) or give a path to one."
        )
    return parse_profile(known[text])


def parse_profile(path: Path) -> Profile:
    try:
        document = tomllib.loads(read_utf8_text(path, shown_as=f"profile {path}"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {path} is not valid TOML: {exc}") from exc
    except NotUtf8Error as exc:
        raise ProfileError(str(exc)) from None
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict) and key in _SECTIONS:
            flat.update(value)
        elif isinstance(value, dict):
            raise ProfileError(
                f"profile {path}: unknown section [{key}]; sections are {', '.join(_SECTIONS)}"
            )
        else:
            flat[key] = value
    flat.setdefault("name", path.stem)
    if "family" not in flat:
        raise ProfileError(f"profile {path}: missing 'family' (one of {', '.join(FAMILIES)})")
    values = _coerce(flat, source=f"profile {path}")
    profile = Profile(path=path, **values)
    _validate(profile)
    return profile


def _coerce(values: dict[str, Any], *, source: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("path", "extra"):
            continue
        if key not in _FIELDS:
            extra[key] = value
            continue
        if key in _TUPLE_FIELDS:
            value = tuple(value) if isinstance(value, list | tuple) else (value,)
        elif key == "suffix":
            value = str(value).upper()
        elif key == "address" and isinstance(value, str):
            try:
                value = int(value, 0)
            except ValueError:
                raise ProfileError(f"{source}: address {value!r} is not a number like 0xFF") from None
        out[key] = _checked(key, value, source)
    if extra:
        out["extra"] = extra
    return out


_NUMBER_OR_NONE = {"rssi_threshold_dbm"}
_INT_OR_NONE = {"power_dbm"}


def _checked(key: str, value: Any, source: str) -> Any:
    """The value if its type fits the field (ints accepted for floats), else a ProfileError."""
    default = _FIELDS[key].default
    if key in _NUMBER_OR_NONE:
        wanted: tuple[type, ...] = (int, float)
    elif key in _INT_OR_NONE:
        wanted = (int,)
    elif isinstance(default, bool):
        wanted = (bool,)
    elif isinstance(default, int):
        wanted = (int,)
    elif isinstance(default, float):
        wanted = (int, float)
    elif isinstance(default, str):
        wanted = (str,)
    else:
        return value
    if (isinstance(value, bool) and bool not in wanted) or not isinstance(value, wanted):
        names = " or ".join(t.__name__ for t in wanted)
        raise ProfileError(f"{source}: {key} = {value!r} should be a {names}")
    if float in wanted and int in wanted and key not in _NUMBER_OR_NONE:
        return float(value)  # type: ignore[arg-type]  # checked to be an int or a float above
    return value


def _validate(profile: Profile) -> None:
    where = f"profile {profile.name!r}"
    if profile.family not in FAMILIES:
        raise ProfileError(f"{where}: family {profile.family!r} is not one of {', '.join(FAMILIES)}")
    if profile.suffix not in SUFFIXES:
        raise ProfileError(f"{where}: suffix {profile.suffix!r} is not one of {', '.join(SUFFIXES)}")
    if profile.aim_ids not in AIM_MODES:
        raise ProfileError(f"{where}: aim_ids {profile.aim_ids!r} is not one of {AIM_MODES}")
    if len(profile.gs_substitute) > 1:
        raise ProfileError(f"{where}: gs_substitute must be one character, not {profile.gs_substitute!r}")
    if profile.roi and len(profile.roi) != 4:
        raise ProfileError(f"{where}: roi must be [x, y, width, height] as fractions of the frame")
    if profile.backend not in ("lotscan", "zxing", "pyzbar", "zxing+pyzbar"):
        raise ProfileError(
            f"{where}: backend {profile.backend!r} is not lotscan (the pipeline), zxing, pyzbar "
            "or zxing+pyzbar"
        )
    if profile.agree_frames < 1:
        raise ProfileError(f"{where}: agree_frames must be 1 or more, not {profile.agree_frames}")
    if profile.frame_budget_ms < 0:
        raise ProfileError(f"{where}: frame_budget_ms must be 0 or more, not {profile.frame_budget_ms}")
