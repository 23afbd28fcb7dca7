from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lotscan.devices.messages import DeviceState, ScanRead, State


class Collector:
    """A thread-safe sink that tests can wait on."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self._cond = threading.Condition()

    def __call__(self, message: Any) -> None:
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[list[Any]], bool], timeout: float = 3.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.messages):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def of(self, kind: type) -> list[Any]:
        with self._cond:
            return [m for m in self.messages if isinstance(m, kind)]

    def scans(self) -> list[ScanRead]:
        return self.of(ScanRead)

    def states(self, device_id: str | None = None) -> list[State]:
        return [m.state for m in self.of(DeviceState) if device_id in (None, m.device_id)]

    def wait_scans(self, count: int, timeout: float = 3.0) -> list[ScanRead]:
        self.wait_for(lambda ms: sum(isinstance(m, ScanRead) for m in ms) >= count, timeout)
        return self.scans()

    def wait_state(self, state: State, timeout: float = 3.0, after: int = 0) -> bool:
        return self.wait_for(
            lambda ms: any(isinstance(m, DeviceState) and m.state == state for m in ms[after:]),
            timeout,
        )


@pytest.fixture
def collector() -> Iterator[Collector]:
    yield Collector()


# ../shared/samples next to the repository (override with $LOTSCAN_SAMPLES)
SAMPLES = Path(
    os.environ.get("LOTSCAN_SAMPLES")
    or Path(__file__).resolve().parents[4] / "shared" / "samples" / "barcode-photos"
)


@pytest.fixture(scope="session")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"sample photos not found at {SAMPLES} (set LOTSCAN_SAMPLES)")
    return SAMPLES
