"""Find and open a serial port the way a station needs it: stable path, exclusive, and errors
that say what to do. Used by every serial-line reader (scanners, R2000, RDM6300)."""

from __future__ import annotations

import errno
import fnmatch
import os
import re
from dataclasses import dataclass

import serial
from serial.tools import list_ports

from lotscan.devices.errors import DeviceBusy, DeviceError, DeviceLost, DeviceMissing
from lotscan.devices.profiles import Profile

URL_SCHEMES = ("socket://", "rfc2217://", "loop://", "spy://", "alt://", "hwgrep://")
_VID_PID = re.compile(r"^(?P<vid>[0-9a-fA-F]{4}):(?P<pid>[0-9a-fA-F]{4})$")


@dataclass(frozen=True)
class PortChoice:
    """Where to open a device: an explicit port/URL, or a match rule over the ports present."""

    port: str | None
    vid_pid: tuple[str, ...] = ()
    by_id: tuple[str, ...] = ()
    serial_number: str | None = None

    def describe(self) -> str:
        if self.port:
            return self.port + (f" (serial {self.serial_number})" if self.serial_number else "")
        rules = [*self.vid_pid, *self.by_id]
        return "a port matching " + (", ".join(rules) or "nothing (set port in the station config)")


def choice_for(port: str | None, profile: Profile, serial_number: str | None = None) -> PortChoice:
    return PortChoice(port, profile.vid_pid, profile.by_id, serial_number)


def resolve_port(choice: PortChoice) -> str:
    """The device path or URL to open now; DeviceMissing when nothing matches (yet)."""
    port = choice.port
    if port and port.startswith(URL_SCHEMES):
        return port
    if port and not _VID_PID.match(port):
        if not os.path.exists(port):
            raise DeviceMissing(f"{port} is not present: plug the device in or fix the port")
        return port
    wanted_ids = [port] if port else list(choice.vid_pid)
    for info in list_ports.comports():
        if choice.serial_number and info.serial_number != choice.serial_number:
            continue
        if info.vid is not None and f"{info.vid:04x}:{info.pid:04x}" in [w.lower() for w in wanted_ids]:
            return _stable_path(info.device)
        if not port and any(
            fnmatch.fnmatch(name, pattern) for name in _by_id_names(info.device) for pattern in choice.by_id
        ):
            return _stable_path(info.device)
    raise DeviceMissing(f"no serial port matches {choice.describe()}: is the device plugged in?")


def open_serial(path_or_url: str, profile: Profile, *, timeout: float) -> serial.SerialBase:
    """Open exclusively (no other program can read our scans) with the profile's line settings."""
    kwargs = dict(
        baudrate=profile.baud,
        bytesize=profile.bytesize,
        parity=profile.parity,
        stopbits=profile.stopbits,
        timeout=timeout,
        write_timeout=1.0,
    )
    try:
        if path_or_url.startswith(URL_SCHEMES):
            kwargs.pop("write_timeout")  # rfc2217:// refuses it
            return serial.serial_for_url(path_or_url, **kwargs)
        return serial.Serial(path_or_url, exclusive=profile.exclusive, **kwargs)
    except serial.SerialException as exc:
        raise classify_open_error(path_or_url, exc) from exc
    except (OSError, ValueError, NotImplementedError) as exc:
        raise DeviceError(f"cannot open {path_or_url}: {exc}") from exc


def classify_open_error(port: str, exc: BaseException) -> DeviceError:
    text = str(exc)
    code = getattr(exc, "errno", None)
    if code in (errno.EAGAIN, errno.EBUSY) or "exclusively lock" in text or "[Errno 16]" in text:
        return DeviceBusy(
            f"{port} is busy: another program has it open (close it, or check "
            "that no other station process or ModemManager holds the port)"
        )
    if code == errno.EACCES or "[Errno 13]" in text:
        return DeviceError(
            f"no permission to open {port}: add the station user to the "
            "'dialout' group (or fix the udev rule)"
        )
    if (
        code in (errno.ENOENT, errno.ENODEV, errno.ENXIO)
        or any(f"[Errno {n}]" in text for n in (2, 6, 19, 111, 113, 110, -2, -3))
        or "refused" in text
        or "resolve" in text.lower()
    ):
        return DeviceMissing(f"{port} is not reachable: {text}")
    return DeviceError(f"cannot open {port}: {text}")


def read_available(port: serial.SerialBase) -> bytes:
    """Whatever arrived, waiting at most the port timeout; DeviceLost when the device is gone."""
    try:
        waiting = port.in_waiting
        return port.read(waiting or 1)
    except serial.SerialException as exc:
        raise DeviceLost(f"{port.port} went away: {exc}") from exc
    except OSError as exc:
        raise DeviceLost(f"{port.port} went away: {exc}") from exc


def write_all(port: serial.SerialBase, data: bytes) -> None:
    try:
        port.write(data)
    except (serial.SerialException, OSError) as exc:
        raise DeviceLost(f"{port.port} went away while writing: {exc}") from exc


def _by_id_names(device: str) -> list[str]:
    directory = "/dev/serial/by-id"
    if not os.path.isdir(directory):
        return []
    real = os.path.realpath(device)
    return [name for name in os.listdir(directory) if os.path.realpath(os.path.join(directory, name)) == real]


def _stable_path(device: str) -> str:
    names = _by_id_names(device)
    return os.path.join("/dev/serial/by-id", names[0]) if names else device
