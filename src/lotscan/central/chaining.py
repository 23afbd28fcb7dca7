"""Deferred audit mode: chaining the events of pushes that committed, many pushes at a time.

Each push (central serve --audit deferred) hands its stored events over after its commit and
waits until they are chained. One thread of the process chains: it takes every push's events
waiting by then and chains them all in one transaction, so under load one commit (one WAL
flush) and one hold of each chain's head lock serve many pushes, where each push used to run
a transaction of its own. A push waits on the event loop, not in a request thread: waiting
pushes never take the threads other requests need. What a crash leaves unchained is chained
at start-up and every minute (`audit seal`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from sqlalchemy import Engine

from lotscan.central.db import write_tx
from lotscan.central.push import Stored
from lotscan.central.trace import hooks as trace_hooks

log = logging.getLogger("lotscan.central")

IDLE_S = 5.0  # the chaining thread ends after this long with nothing to chain (started again on demand)

_Waiter = tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]


class Chainer:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._waiting: list[tuple[list[Stored], _Waiter]] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    async def chain(self, stored: list[Stored]) -> None:
        """Chain these just-committed events (with any other push's waiting); returns once
        they are chained, or once chaining them failed (logged; `audit seal` finishes it)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        with self._wake:
            self._waiting.append((stored, (loop, done)))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="audit-chainer", daemon=True)
                self._thread.start()
            self._wake.notify()
        await done

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._waiting:
                    self._wake.wait(IDLE_S)
                if not self._waiting:
                    self._thread = None
                    return
                group, self._waiting = self._waiting, []
            try:
                with write_tx(self.engine) as conn:
                    for stored, _ in group:
                        for rows, server_seqs in stored:
                            trace_hooks.chain_stored(conn, rows, server_seqs)  # pallets: in the push
            except Exception:
                log.exception("audit chaining after push failed; run `lotscan central audit seal`")
            finally:
                for _, (loop, done) in group:
                    # RuntimeError: that push's event loop has closed, nobody waits for it.
                    with contextlib.suppress(RuntimeError):
                        loop.call_soon_threadsafe(_finish, done)


def _finish(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)
