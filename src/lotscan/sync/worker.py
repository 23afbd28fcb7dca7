"""The background sync worker inside `lotscan station`.

Two daemon threads: the sync loop (push, then pull, every `interval_s` or when nudged; after a
transient failure it retries with exponential backoff and full jitter) and a long-poll that
wakes the loop within seconds of an urgent change (hold, recall, quarantine). Scanning never
waits on either: the outbox is the events table, committed before a scan's verdict is shown.

The UI gets a `SyncStatus` through `on_state` (called from the worker thread: post it to the UI
thread, e.g. `app.call_from_thread`), and can read `worker.status` at any time.
"""

from __future__ import annotations

import inspect
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine

from lotscan.settings import StationSettings
from lotscan.store.db import open_cache
from lotscan.sync import local
from lotscan.sync.client import CentralClient, Refused, ReloadNeeded, SyncError, Transient
from lotscan.sync.engine import Report, Syncer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    pending: int
    cache_age_s: float | None
    last_error: str | None = None
    last_sync_at: datetime | None = None
    enrolled: bool = True
    set_aside: int = 0  # events central refused: kept as failed, listed with the flagged items

    @property
    def label(self) -> str:
        return "ONLINE" if self.online else "OFFLINE"

    @property
    def value(self) -> str:
        """Same as `label`, so the status reads like an enum member ("ONLINE" / "OFFLINE")."""
        return self.label

    def facts(self) -> dict[str, object]:
        refused = (
            f"{self.set_aside} event(s) refused by central: a supervisor checks them (F11 or f)"
            if self.set_aside
            else ""
        )
        return {
            "detail": self.last_error or refused,
            "pending": self.pending,
            "set_aside": self.set_aside,
            "cache_age_s": self.cache_age_s,
        }


def read_status(engine: Engine, *, online: bool, last_error: str | None = None) -> SyncStatus:
    with engine.connect() as conn:
        pending = local.pending_count(conn)
        set_aside = local.set_aside_count(conn)
        pulled = local.get_state(conn, local.LAST_PULL_AT)
        enrolled = local.get_state(conn, local.TOKEN) is not None
    age = None
    last = None
    if pulled:
        last = datetime.fromisoformat(pulled)
        age = max(0.0, (datetime.now(UTC) - last).total_seconds())
    return SyncStatus(online, pending, age, last_error, last, enrolled, set_aside)


def _takes_keywords(callback: Callable[..., None]) -> bool:
    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def backoff_delay(failures: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^(failures-1))], at least a tenth of base."""
    ceiling = min(cap_s, base_s * (2 ** max(0, failures - 1)))
    return max(base_s / 10, rng.uniform(0, ceiling))


def is_enrolled(engine: Engine) -> bool:
    """True once `lotscan enroll` stored this station's token in the cache."""
    with engine.connect() as conn:
        return local.get_state(conn, local.TOKEN) is not None


class SyncWorker:
    """Background sync. `SyncWorker(engine, settings, on_state)`; `SyncWorker(settings, on_state=...)`
    opens the cache named by the settings itself.

    `on_state(status)` gets a SyncStatus; a callback that takes **keywords also gets
    detail=, pending= and cache_age_s=.
    """

    def __init__(
        self,
        engine: Engine | StationSettings,
        settings: StationSettings | None = None,
        on_state: Callable[..., None] | None = None,
        *,
        interval_s: float = 10.0,
        backoff_base_s: float = 1.0,
        backoff_cap_s: float = 60.0,
        long_poll_s: float = 25.0,
        transport: httpx.BaseTransport | None = None,
    ):
        if isinstance(engine, StationSettings):
            settings, engine = engine, open_cache(engine.database)
        if settings is None:
            raise TypeError("SyncWorker needs the station settings")
        self.engine = engine
        self.settings = settings
        self.on_state = on_state
        self._pass_facts = on_state is not None and _takes_keywords(on_state)
        self.interval_s = interval_s
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.long_poll_s = long_poll_s
        self.transport = transport
        self.last_report: Report | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._online = False
        self._went_away = False  # it was online, then a round failed: said once, and when it is back
        self._failures = 0
        self._rng = random.Random()
        self._threads: list[threading.Thread] = []
        self._status = SyncStatus(False, 0, None, "not started")

    @property
    def status(self) -> SyncStatus:
        return self._status

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        for target, name in ((self._sync_loop, "lotscan-sync"), (self._poll_loop, "lotscan-sync-wait")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def nudge(self) -> None:
        """Sync soon (e.g. right after a scan was recorded)."""
        self._wake.set()

    def flagged(self) -> list[dict[str, object]]:
        """Open reconciliation items of this station's site, for a supervisor screen.

        A network call: run it off the UI thread. Raises SyncError when central cannot answer."""
        client = self._client()
        if client is None:
            raise SyncError("not enrolled: run `lotscan enroll --server URL --code CODE`")
        with client:
            return client.flagged()

    # ----------------------------------------------------------------- internals

    def _client(self, *, timeout: float = 30.0) -> CentralClient | None:
        with self.engine.connect() as conn:
            url = local.get_state(conn, local.SERVER_URL) or self.settings.server_url
            token = local.get_state(conn, local.TOKEN)
            ca_bundle = local.get_state(conn, local.CA_BUNDLE)
        if not url or not token:
            return None
        return CentralClient(url, token, transport=self.transport, timeout=timeout, verify=ca_bundle or True)

    def _publish(self, error: str | None) -> None:
        try:
            self._status = read_status(self.engine, online=self._online, last_error=error)
        except Exception as exc:  # the cache is busy or broken: say so, keep running
            self._status = SyncStatus(self._online, self._status.pending, self._status.cache_age_s, str(exc))
        if self.on_state is not None:
            try:
                if self._pass_facts:
                    self.on_state(self._status, **self._status.facts())
                else:
                    self.on_state(self._status)
            except Exception:
                log.exception("sync status callback failed")

    def sync_now(self) -> Report | None:
        """One round in the caller's thread; updates the status. Raises nothing."""
        client = self._client()
        if client is None:
            self._online = False
            self._publish("not enrolled: run `lotscan enroll --server URL --code CODE`")
            return None
        error = None
        try:
            with client:
                self.last_report = Syncer(self.engine, client).sync_once()
            if self._went_away:
                log.warning("central is back")
                self._went_away = False
            self._online = True
            self._failures = 0
        except Transient as exc:
            if self._online:  # once, when it goes (a restart, a network cut): calm, no traceback
                log.warning("central went away (%s); retrying until it is back", exc)
                self._went_away = True
            self._online = False
            self._failures += 1
            error = str(exc)
        except Refused as exc:
            self._online = True
            self._failures += 1
            error = str(exc)
        except (SyncError, Exception) as exc:
            log.exception("sync round failed")
            self._failures += 1
            error = f"{type(exc).__name__}: {exc}"
        self._publish(error)
        return self.last_report if error is None else None

    def _sync_loop(self) -> None:
        while not self._stop.is_set():
            self.sync_now()
            if self._failures:
                delay = backoff_delay(self._failures, self.backoff_base_s, self.backoff_cap_s, self._rng)
            else:
                delay = self.interval_s
            self._wake.wait(delay)
            self._wake.clear()

    def _poll_loop(self) -> None:
        failures = 0
        seen = 0
        while not self._stop.is_set():
            client = self._client(timeout=self.long_poll_s + 10) if self._online else None
            if client is None:
                self._stop.wait(1.0)
                continue
            try:
                with self.engine.connect() as conn:
                    cursor = max(seen, local.get_int(conn, local.CURSOR))
                with client:
                    answer = client.wait(cursor, timeout=self.long_poll_s)
                failures = 0
                if answer.changed:
                    seen = answer.latest
                    self._wake.set()
            except ReloadNeeded as exc:  # our cursor is ahead of central's log: a sync round reloads
                log.warning("long-poll: %s", exc)
                seen = 0
                self._wake.set()
                failures += 1
                self._stop.wait(backoff_delay(failures, self.backoff_base_s, self.backoff_cap_s, self._rng))
            except Exception as exc:
                failures += 1
                log.debug("long-poll failed: %s", exc)
                self._stop.wait(backoff_delay(failures, self.backoff_base_s, self.backoff_cap_s, self._rng))
