"""Deferred audit mode: chaining the events of pushes that committed, many pushes at a time.

Each push (central serve --audit deferred) hands its stored events over after its commit and
waits until they are chained. One thread at a time chains: it takes every push's events
waiting by then and chains them all in one transaction, so under load one commit (one WAL
flush) and one hold of each chain's head lock serve many pushes, where each push used to run
a transaction of its own. A push whose events another thread chained meanwhile just returns.
What a crash leaves unchained is chained at start-up and every minute (`audit seal`).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from lotscan.central.db import write_tx
from lotscan.central.push import Stored
from lotscan.central.trace import hooks as trace_hooks

log = logging.getLogger("lotscan.central")


class Chainer:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._waiting: list[Stored] = []
        self._queued = 0  # pushes handed over so far
        self._chained = 0  # of those, the first this many are done with
        self._state = threading.Lock()
        self._chaining = threading.Lock()  # one chaining transaction at a time

    def chain(self, stored: list[Stored]) -> None:
        """Chain these just-committed events (with any other push's waiting); returns once
        they are chained, or once chaining them failed (logged; `audit seal` finishes it)."""
        with self._state:
            self._waiting.extend(stored)
            self._queued += 1
            ticket = self._queued
        with self._chaining:
            with self._state:
                if self._chained >= ticket:
                    return  # another push's thread chained ours with its own
                group, self._waiting = self._waiting, []
                upto = self._queued
            try:
                with write_tx(self.engine) as conn:
                    for rows, server_seqs in group:
                        trace_hooks.events_stored(conn, rows, server_seqs)
            except Exception:
                log.exception("audit chaining after push failed; run `lotscan central audit seal`")
            finally:
                with self._state:
                    self._chained = max(self._chained, upto)
