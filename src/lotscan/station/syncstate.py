"""ONLINE/OFFLINE in the status line.

The sync worker (`lotscan.sync`) runs in its own threads and never blocks scanning. It starts
whether or not the station is enrolled yet: `lotscan enroll` stores the server and token in the
cache, and until then the worker reports OFFLINE ("not enrolled").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.message import Message

from lotscan.settings import StationSettings
from lotscan.station.serve.hub import SharedSync
from lotscan.sync.worker import SyncWorker

log = logging.getLogger(__name__)


class SyncUpdate(Message):
    def __init__(
        self,
        online: bool,
        detail: str = "",
        pending: int | None = None,
        cache_age_s: float | None = None,
        refused: int | None = None,
    ) -> None:
        super().__init__()
        self.online = online
        self.detail = detail
        self.pending = pending
        self.cache_age_s = cache_age_s
        self.refused = refused  # events central refused (set aside), None: not told


@dataclass
class SyncLink:
    factory: Callable[..., Any] | None
    settings: StationSettings
    post: Callable[[Message], object]
    worker: Any = None
    live: bool = False
    shared: SharedSync | None = None  # a served station's one worker, heard by every session

    @classmethod
    def create(cls, settings: StationSettings, post: Callable[[Message], object]) -> SyncLink:
        return cls(SyncWorker, settings, post)

    @classmethod
    def attach(cls, shared: SharedSync, post: Callable[[Message], object]) -> SyncLink:
        return cls(None, shared.settings, post, shared=shared)

    def on_state(self, state: Any, **facts: Any) -> None:
        """The worker's state callback; any thread."""
        word = str(getattr(state, "value", state)).upper()
        self.live = True
        self.post(
            SyncUpdate(
                word == "ONLINE",
                str(facts.get("detail", "")),
                facts.get("pending"),
                facts.get("cache_age_s"),
                facts.get("set_aside"),
            )
        )

    def start(self, app: App[Any]) -> None:
        if self.shared is not None:
            self.shared.listen(self.on_state)
            return
        app.run_worker(self._run, thread=True, group="sync", name="sync")

    def _run(self) -> None:
        try:
            assert self.factory is not None
            self.worker = self.factory(self.settings, on_state=self.on_state)
            runner = getattr(self.worker, "run", None) or self.worker.start
            runner()
        except Exception as exc:  # sync trouble never stops scanning
            log.exception("sync worker failed")
            self.post(SyncUpdate(False, f"sync failed: {exc}"))

    def nudge(self) -> None:
        """A scan was recorded: sync soon."""
        if self.shared is not None:
            self.shared.nudge()
            return
        nudge = getattr(self.worker, "nudge", None)
        if nudge is not None:
            nudge()

    def stop(self) -> None:
        """Stop without holding up the screen (the worker's threads are daemons)."""
        if self.shared is not None:
            self.shared.forget(self.on_state)  # the station's worker goes on for the others
            return
        stopper = getattr(self.worker, "stop", None)
        if stopper is not None:
            threading.Thread(target=self._stop, args=(stopper,), name="sync-stop", daemon=True).start()

    @staticmethod
    def _stop(stopper: Callable[[], object]) -> None:
        try:
            stopper()
        except Exception:
            log.exception("sync worker did not stop cleanly")
