"""Which urgent changes (hold, recall, quarantine) exist, shared by every long-poll of a process.

However many stations wait, the change log is asked at most once per `poll_s`: the first waiter
whose view is stale refreshes it for all. Only rows newer than the last look are read.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, func, select

from lotscan.central.schema import changes


class UrgentWatch:
    def __init__(self, engine: Engine, poll_s: float = 0.25):
        self.engine = engine
        self.poll_s = poll_s
        self._latest: dict[str | None, int] = {}
        self._high = 0
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def latest(self, site: str) -> int:
        """Newest urgent change seq visible to `site` (0: none), at most `poll_s` old."""
        if time.monotonic() - self._checked_at >= self.poll_s and self._lock.acquire(blocking=False):
            try:
                self._refresh()
            finally:
                self._checked_at = time.monotonic()
                self._lock.release()
        return max(self._latest.get(site, 0), self._latest.get(None, 0))

    def _refresh(self) -> None:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(changes.c.site, func.max(changes.c.seq))
                .where(changes.c.seq > self._high, changes.c.urgent.is_(True))
                .group_by(changes.c.site)
            ).all()
        for site, seq in rows:
            self._latest[site] = max(self._latest.get(site, 0), int(seq))
            self._high = max(self._high, int(seq))
