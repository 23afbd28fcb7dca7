"""One station, many sessions: the cache, the writer thread, the sync worker and the session
registry that every served session (browser tab, SSH connection) shares.

- One `StationService` on one engine, and ONE writer thread that judges and records every scan
  of every session, in the order the scans arrive: station seqs stay gapless and each event
  carries the operator of the session it came from.
- One sync worker for the whole station; every session's status line hears its state.
- A registry of the open sessions (transport, peer, device, operator, last activity), kept in
  `<cache>.sessions.json` so `lotscan station sessions` can list them from another process.

No Textual here: the serving modules and the app use the hub.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lotscan.services.session import open_service
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.station.feed import ServiceThread

log = logging.getLogger(__name__)
SYNC_THREAD = "lotscan-sync"  # the name of the sync worker's main thread (lotscan.sync.worker)
REGISTRY_FLUSH_S = 5.0
# Every recorded scan nudges the sync worker, and each round it says how many events wait: told
# at once, every session of the station would repaint its status line for every scan of every
# other session (twenty handhelds: twenty frames a scan). Counts go out at most this often;
# ONLINE/OFFLINE and what is wrong go out at once.
SYNC_FANOUT_S = 2.0


def registry_path(settings: StationSettings) -> Path:
    """Where a serving station lists its sessions: next to its cache."""
    return Path(f"{settings.database}.sessions.json")


@dataclass
class SessionInfo:
    """One connected handheld: what `lotscan station sessions` and a supervisor see."""

    id: str
    transport: str  # web, ssh
    peer: str
    terminal: str = ""
    size: str = ""
    device: str = ""  # the SSH key's comment: which handheld
    operator: str | None = None
    role: str | None = None
    started: float = field(default_factory=time.time)
    last_active: float = field(default_factory=time.time)
    scans: int = 0
    open: bool = True  # False once the connection is gone: its queued scans are not judged

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


def _gist(state: Any, facts: dict[str, Any]) -> tuple[Any, ...]:
    """What a sync state says that must reach the sessions at once: ONLINE/OFFLINE, the problem."""
    return str(getattr(state, "value", state)), facts.get("detail"), facts.get("set_aside")


class SharedSync:
    """The station's one sync worker; any number of sessions listen to its state (a change of
    ONLINE/OFFLINE or of what is wrong at once, the counts at most every `fanout_s`)."""

    def __init__(self, settings: StationSettings, factory: Callable[..., Any] | None = None) -> None:
        self.settings = settings
        self.factory = factory
        self.worker: Any = None
        self.listeners: list[Callable[..., None]] = []
        self.last: tuple[Any, dict[str, Any]] | None = None
        self.fanout_s = SYNC_FANOUT_S
        self._lock = threading.Lock()
        self._said: tuple[Any, ...] | None = None  # the state and problem last told to the listeners
        self._said_at = 0.0
        self._later: threading.Timer | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name="lotscan-sync-start", daemon=True).start()

    def _run(self) -> None:
        try:
            factory = self.factory
            if factory is None:
                from lotscan.sync.worker import SyncWorker

                factory = SyncWorker
            self.worker = factory(self.settings, on_state=self._on_state)
            runner = getattr(self.worker, "run", None) or self.worker.start
            runner()
        except Exception:  # sync trouble never stops scanning
            log.exception("sync worker failed")

    def _on_state(self, state: Any, **facts: Any) -> None:
        """The worker's state (its thread): to the listeners now if the state or the problem
        changed or the last word is `fanout_s` old, else the latest once that much has passed."""
        key = _gist(state, facts)
        with self._lock:
            self.last = (state, facts)
            now = time.monotonic()
            if key == self._said and now - self._said_at < self.fanout_s:
                if self._later is None:
                    self._later = threading.Timer(self._said_at + self.fanout_s - now, self._say_last)
                    self._later.daemon = True
                    self._later.start()
                return
        self._say(state, facts)

    def _say_last(self) -> None:
        with self._lock:
            self._later = None
            last = self.last
        if last is not None:
            self._say(*last)

    def _say(self, state: Any, facts: dict[str, Any]) -> None:
        with self._lock:
            self.last = (state, facts)
            self._said = _gist(state, facts)
            self._said_at = time.monotonic()
            listeners = list(self.listeners)
        for listener in listeners:
            try:
                listener(state, **facts)
            except Exception:
                log.exception("a session's sync listener failed")

    def listen(self, listener: Callable[..., None]) -> None:
        with self._lock:
            self.listeners.append(listener)
            last = self.last
        if last is not None:
            listener(last[0], **last[1])

    def forget(self, listener: Callable[..., None]) -> None:
        with self._lock:
            if listener in self.listeners:
                self.listeners.remove(listener)

    def nudge(self) -> None:
        nudge = getattr(self.worker, "nudge", None)
        if nudge is not None:
            nudge()

    def stop(self) -> None:
        with self._lock:
            if self._later is not None:
                self._later.cancel()
                self._later = None
        stopper = getattr(self.worker, "stop", None)
        if stopper is not None:
            try:
                stopper()
            except Exception:
                log.exception("sync worker did not stop cleanly")


class StationHub:
    """Everything the sessions of one served station share."""

    def __init__(
        self,
        settings: StationSettings,
        *,
        service: StationService | None = None,
        start_sync: bool = True,
        endpoints: dict[str, str] | None = None,
    ) -> None:
        self.service = service or open_service(settings)
        self.writer = ServiceThread()  # every scan of every session, one at a time, in order
        self.readers = ServiceThread(workers=2)  # panels, status, lookups: never block the writer
        self.sync = SharedSync(self.settings) if start_sync else None
        self.sessions: dict[str, SessionInfo] = {}
        self.endpoints = dict(endpoints or {})
        self.session_pids: list[int] = []  # the session processes (serve.pool), if any
        self.registry = registry_path(self.settings)
        self.started = time.time()
        self._counter = 0
        self._lock = threading.Lock()
        self._flushed = 0.0

    @property
    def settings(self) -> StationSettings:
        """One station name everywhere: the service's settings carry the name central gave at
        enrolment, which the page, the registry, the sync worker and every session then use,
        an enrolment while the station serves included (`follow_enrolment`)."""
        return self.service.settings

    def follow_enrolment(self) -> bool:
        """Take up an enrolment that landed while the station serves (`lotscan enroll` from
        another process): True if the name or lot part changed; the registry then says so.
        Reads the cache: call it from a thread, not the event loop."""
        changed = self.service.follow_enrolment()
        if changed:
            log.info("enrolled with central as %s", self.settings.station_id)
            self.write_registry()
        return changed

    def _heard_sync(self, state: Any, **facts: Any) -> None:
        """The sync worker's state (its thread): ONLINE after `lotscan enroll` is when an
        enrolment that landed while serving is taken up, before any session scans."""
        if str(getattr(state, "value", state)).upper() == "ONLINE":
            try:
                self.follow_enrolment()
            except Exception:
                log.exception("reading the enrolment failed")

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self.sync is not None:
            self.sync.listen(self._heard_sync)
            self.sync.start()
        self.write_registry()

    def close(self) -> None:
        if self.sync is not None:
            self.sync.stop()
        self.writer.shutdown()
        self.readers.shutdown()
        self.registry.unlink(missing_ok=True)
        self.service.engine.dispose()

    # -- sessions ----------------------------------------------------------------------------

    def open_session(self, transport: str, peer: str, **facts: Any) -> SessionInfo:
        with self._lock:
            self._counter += 1
            info = SessionInfo(f"{transport}-{self._counter}", transport, peer, **facts)
            self.sessions[info.id] = info
        log.info("session %s opened from %s", info.id, peer)
        self.write_registry()
        return info

    def close_session(self, info: SessionInfo) -> None:
        info.open = False
        with self._lock:
            self.sessions.pop(info.id, None)
        log.info("session %s closed (operator %s, %d scans)", info.id, info.operator, info.scans)
        self.write_registry()

    def signed_in(self, info: SessionInfo, operator: str | None, role: str | None) -> None:
        if (info.operator, info.role) != (operator, role):
            info.operator, info.role = operator, role
            self.write_registry()

    def active(self, info: SessionInfo, scanned: bool = False) -> None:
        info.last_active = time.time()
        if scanned:
            info.scans += 1
        if time.monotonic() - self._flushed > REGISTRY_FLUSH_S:
            self.write_registry()

    def summary(self) -> str:
        """For a supervisor's status line: how many sessions, of which kinds, who signed in."""
        with self._lock:
            sessions = list(self.sessions.values())
        kinds: dict[str, int] = {}
        for info in sessions:
            kinds[info.transport] = kinds.get(info.transport, 0) + 1
        signed = sum(1 for info in sessions if info.operator)
        parts = " ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        return f"{len(sessions)} sessions ({parts}, {signed} signed in)" if sessions else "no sessions"

    # -- registry ----------------------------------------------------------------------------

    def sync_workers(self) -> int:
        """Sync workers running in this process: the acceptance says one, whatever the sessions."""
        return sum(1 for thread in threading.enumerate() if thread.name == SYNC_THREAD)

    def write_registry(self) -> None:
        with self._lock:
            rows = [info.as_row() for info in self.sessions.values()]
            self._flushed = time.monotonic()
        document = {
            "pid": os.getpid(),
            "station": self.settings.station_id,
            "database": str(self.settings.database),
            "started": self.started,
            "written": time.time(),
            "endpoints": self.endpoints,
            "sync_workers": self.sync_workers(),
            "session_processes": self.session_pids,
            "sessions": rows,
        }
        temporary = self.registry.with_name(self.registry.name + ".tmp")
        try:
            temporary.write_text(json.dumps(document, indent=1), encoding="utf-8")
            os.replace(temporary, self.registry)
        except OSError:
            log.exception("could not write the session registry %s", self.registry)


def read_registry(settings: StationSettings) -> dict[str, Any] | None:
    """The registry of a station serving on this cache, or None if none is running."""
    path = registry_path(settings)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        os.kill(int(document["pid"]), 0)
    except (ProcessLookupError, KeyError, ValueError, TypeError):
        return None  # left behind by a station that did not stop cleanly
    except PermissionError:
        pass
    return document
