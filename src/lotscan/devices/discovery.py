"""What hardware is attached, and which profile fits each: serial ports, input devices,
cameras. Also a quick probe of configured devices, for `lotscan devices`."""

from __future__ import annotations

import contextlib
import fnmatch
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from serial.tools import list_ports

from lotscan.devices.config import DeviceConfig
from lotscan.devices.messages import DeviceState, State
from lotscan.devices.profiles import Profile, ProfileError, known_profiles, parse_profile

SERIAL_FAMILIES = ("serial-scanner", "r2000", "rdm6300")


@dataclass
class Found:
    kind: str  # serial | input | camera
    path: str
    name: str
    ids: dict[str, str] = field(default_factory=dict)
    profiles: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "name": self.name,
            "ids": self.ids,
            "profiles": self.profiles,
        }


def all_profiles() -> list[Profile]:
    profiles = []
    for path in known_profiles().values():
        try:
            profiles.append(parse_profile(path))
        except ProfileError:
            continue
    return profiles


def _matches(profile: Profile, *, vid_pid: str = "", names: list[str] = (), ids: list[str] = ()) -> bool:  # type: ignore[assignment]
    if vid_pid and vid_pid in [v.lower() for v in profile.vid_pid]:
        return True
    if any(fnmatch.fnmatch(i, p) for i in ids for p in profile.by_id):
        return True
    return any(fnmatch.fnmatch(n, p) for n in names if n for p in profile.names)


def serial_ports(profiles: list[Profile]) -> list[Found]:
    found = []
    by_id_dir = Path("/dev/serial/by-id")
    aliases: dict[str, list[str]] = {}
    if by_id_dir.is_dir():
        for link in by_id_dir.iterdir():
            aliases.setdefault(os.path.realpath(link), []).append(link.name)
    for info in sorted(list_ports.comports(), key=lambda i: i.device):
        vid_pid = f"{info.vid:04x}:{info.pid:04x}" if info.vid is not None else ""
        names = [info.description or "", info.product or "", info.manufacturer or ""]
        by_id = aliases.get(os.path.realpath(info.device), [])
        item = Found(
            "serial",
            info.device,
            info.description or info.device,
            {
                k: v
                for k, v in {
                    "vid_pid": vid_pid,
                    "serial_number": info.serial_number or "",
                    "by_id": ", ".join(by_id),
                }.items()
                if v
            },
        )
        item.profiles = [
            p.name
            for p in profiles
            if p.family in SERIAL_FAMILIES and _matches(p, vid_pid=vid_pid, names=names, ids=by_id)
        ]
        found.append(item)
    return found


def input_devices(profiles: list[Profile]) -> tuple[list[Found], str | None]:
    try:
        import evdev
    except ImportError:
        return (
            [],
            "input devices not listed: the optional evdev package is missing (pip install 'lotscan[hid]')",
        )
    found = []
    for path in evdev.list_devices():
        try:
            with evdev.InputDevice(path) as device:
                name, info = device.name, device.info
        except OSError:
            continue
        vid_pid = f"{info.vendor:04x}:{info.product:04x}"
        item = Found("input", path, name, {"vid_pid": vid_pid})
        item.profiles = [
            p.name
            for p in profiles
            if p.family == "hid-scanner" and _matches(p, vid_pid=vid_pid, names=[name])
        ]
        found.append(item)
    note = None if found or os.path.isdir("/dev/input") else "no /dev/input on this machine"
    return found, note


def cameras(profiles: list[Profile]) -> list[Found]:
    found = []
    sysfs = Path("/sys/class/video4linux")
    for entry in sorted(sysfs.glob("video*")) if sysfs.is_dir() else []:
        name_file = entry / "name"
        name = name_file.read_text().strip() if name_file.exists() else entry.name
        index = entry.name.removeprefix("video")
        item = Found("camera", f"/dev/{entry.name}", name, {"index": index})
        item.profiles = [p.name for p in profiles if p.family == "camera" and _matches(p, names=[name])]
        found.append(item)
    return found


def probe(config: DeviceConfig, timeout: float = 3.0) -> DeviceState:
    """Open a configured device once and close it again: its state right now."""
    from lotscan.devices.manager import build_reader

    try:
        profile = config.resolve_profile()
        reader, _ = build_reader(config, profile, lambda message: None)
    except Exception as exc:
        return DeviceState(config.id, State.ERROR, str(exc))
    outcome: list[DeviceState] = []

    def attempt() -> None:
        try:
            reader.open()
        except Exception as exc:
            state = State(getattr(exc, "state", "error"))
            outcome.append(DeviceState(config.id, state, str(exc)))
        else:
            outcome.append(DeviceState(config.id, State.CONNECTED, f"opened {reader.description}"))
        finally:
            with contextlib.suppress(Exception):
                reader.close()

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        return DeviceState(config.id, State.ERROR, f"no answer within {timeout:g} s")
    return outcome[0]
