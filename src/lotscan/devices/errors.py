"""Why a device is not reading, in words an integrator can act on."""

from __future__ import annotations


class DeviceError(Exception):
    """The device failed; the supervisor reports ``error`` and retries with backoff."""

    state = "error"


class DeviceMissing(DeviceError):
    """The device is not there (unplugged, wrong path, host unreachable): ``disconnected``."""

    state = "disconnected"


class DeviceBusy(DeviceError):
    """Another program holds the device open."""


class DeviceLost(DeviceError):
    """The device went away while reading (cable pulled, socket closed)."""

    state = "disconnected"
