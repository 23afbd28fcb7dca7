"""The scan queue: every line from the keyboard, a paste or a device, handled one at a time.

Scans are queued the moment their last key arrives and handled strictly in order by one
consumer, each in the station's single service thread, so a second scan arriving while the
first is judged is never lost or merged, and no SQL ever runs on the UI's event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lotscan.codes.scan import InternalCode, RawScan, Scan, ScanKind, Source
from lotscan.domain.verdict import Level, Reason, Verdict
from lotscan.services.session import Outcome, StationSession

log = logging.getLogger(__name__)
T = TypeVar("T")

DROPPED = Verdict(
    Level.REJECTED,
    "The connection was lost before this scan was judged; it was NOT recorded. Scan it again.",
    (Reason("SESSION_CLOSED", "connection lost before judging"),),
)
NOT_RECORDED = Verdict(
    Level.REJECTED,
    "The station failed on this scan; it was NOT recorded. Scan it again; if it repeats, call a supervisor.",
    (Reason("INTERNAL_ERROR", "internal error; see the station log"),),
)


@dataclass(frozen=True)
class QueuedScan:
    """One line to handle: typed or scanned text, or the raw bytes a device read."""

    text: str
    source: Source = Source.KEYBOARD
    aim_id: str | None = None
    device_id: str | None = None
    raw: RawScan | None = None
    badge: str | None = None
    burst: bool = False
    pasted: bool = False
    secret: bool = False  # a PIN: never shown or kept in the history
    last_key_at: float = field(default_factory=time.perf_counter)

    @property
    def scanned(self) -> bool:
        """Read by a scanner (a wedge burst, a device), not typed nor pasted: never a PIN."""
        return self.device_id is not None or self.raw is not None or (self.burst and not self.pasted)

    @property
    def how(self) -> str:
        if self.device_id:
            return self.device_id
        if self.pasted:
            return "paste"
        return "scan" if self.burst else "typed"


@dataclass(frozen=True)
class Handled:
    item: QueuedScan
    outcome: Outcome
    seconds: float


class ServiceThread:
    """The one thread that talks to the station cache, so calls never overlap (a pool of
    `workers` threads for reads that may overlap)."""

    def __init__(self, workers: int = 1) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lotscan-service")

    async def call(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)


def handle_one(session: StationSession, item: QueuedScan) -> Outcome:
    """Route one queued line through the session; never raises."""
    try:
        if item.badge is not None:
            scan = Scan(
                kind=ScanKind.OPERATOR,
                raw=item.badge,
                source=item.source,
                internal=InternalCode("operator", item.badge),
            )
            return session.submit_scan(scan)
        if item.raw is not None and session.awaiting_pin_for is None:
            scan = session.service.interpret(
                item.raw.data, aim_id=item.raw.aim_id, source=item.raw.source, device_id=item.raw.device_id
            )
            return session.submit_scan(scan)
        return session.submit(item.text, source=item.source, aim_id=item.aim_id, scanned=item.scanned)
    except Exception:
        log.exception("handling %r failed", item.text)
        return Outcome(NOT_RECORDED)


class ScanFeed:
    """An ordered queue of scans and the single consumer that judges them."""

    def __init__(self, session: StationSession, service_thread: ServiceThread) -> None:
        self.session = session
        self.thread = service_thread
        self.queue: asyncio.Queue[QueuedScan] = asyncio.Queue()
        self.handled = 0
        self.open = True

    def put(self, item: QueuedScan) -> None:
        if self.open:
            self.queue.put_nowait(item)

    def close(self) -> None:
        """The session's connection is gone: nothing still queued, or queued behind other
        sessions' scans in the writer thread, is judged or recorded (it was never shown)."""
        self.open = False
        while not self.queue.empty():
            self.queue.get_nowait()
            self.queue.task_done()

    def _judge(self, item: QueuedScan) -> Outcome:
        if not self.open:
            return Outcome(DROPPED)
        return handle_one(self.session, item)

    @property
    def waiting(self) -> int:
        return self.queue.qsize()

    async def run(self, on_handled: Callable[[Handled], Awaitable[None] | None]) -> None:
        while True:
            item = await self.queue.get()
            started = time.perf_counter()
            try:
                outcome = await self.thread.call(self._judge, item)
            except Exception:  # the executor itself failed: still say so, never ACCEPTED
                log.exception("service thread failed on %r", item.text)
                outcome = Outcome(NOT_RECORDED)
            self.handled += 1
            try:
                result = on_handled(Handled(item, outcome, time.perf_counter() - started))
                if result is not None:
                    await result
            except Exception:  # a display problem must not stop the queue
                log.exception("showing the verdict for %r failed", item.text)
            finally:
                self.queue.task_done()
