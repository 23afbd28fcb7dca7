"""A session process of a serving station: it runs the station apps of some of the sessions, so
painting them uses every core and no session waits on another's frames in one interpreter.

The serving process (`serve.pool`) keeps the connections, the session registry and the
station's ONE sync worker; it hands this process each session's keystrokes and sizes and
sends the screens back to the handhelds. Here each session has its own operator sign-in on
this process's connection to the same cache. Every scan is judged and recorded inside the
cache's write lock (`BEGIN IMMEDIATE`, `lotscan.store.db.begin_write`), which orders the
writers of all processes: each scan is recorded once, with the next gapless station seq, and
the operator of the session it came from.

Run as `python -m lotscan.station.serve.worker FD` by the serving process, FD being its end of
the channel (`serve.channel`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import socket
import sys
import time
from typing import Any

from lotscan.services.session import open_service
from lotscan.settings import StationSettings
from lotscan.station.feed import ServiceThread
from lotscan.station.serve.channel import Channel
from lotscan.station.serve.driver import TerminalLink
from lotscan.station.serve.hub import SessionInfo, SharedSync, StationHub
from lotscan.station.serve.session import ServedSession
from lotscan.station.serve.terminal import TerminalKind

log = logging.getLogger(__name__)
GIL_SWITCH_INTERVAL_S = 0.001


class RemoteSync(SharedSync):
    """The station's one sync worker as this process hears it: its state comes over the channel,
    and a nudge (a scan recorded) goes back to it."""

    def __init__(self, settings: StationSettings, channel: Channel) -> None:
        super().__init__(settings)
        self.channel = channel

    def start(self) -> None:
        pass  # the serving process runs the sync worker

    def heard(self, state: str, facts: dict[str, Any]) -> None:
        self._say(state, facts)  # already spaced by the serving process

    def nudge(self) -> None:
        self.channel.send("nudge")

    def stop(self) -> None:
        pass


class RemoteHub(StationHub):
    """What this process's sessions share: its connection to the cache, a writer and readers,
    and the station's sessions summary and sync state as the serving process tells them."""

    def __init__(self, settings: StationSettings, channel: Channel) -> None:
        # Not StationHub.__init__: no registry and no sync worker here (the serving process has them).
        self.service = open_service(settings)
        self.channel = channel
        self.writer = ServiceThread()
        self.readers = ServiceThread(workers=2)
        self.remote_sync = RemoteSync(self.settings, channel)
        self.sync = self.remote_sync
        self.sessions: dict[str, SessionInfo] = {}
        self.endpoints: dict[str, str] = {}
        self.started = time.time()
        self.said_summary = "no sessions"

    def start(self) -> None:
        pass

    def close(self) -> None:
        self.writer.shutdown()
        self.readers.shutdown()
        self.service.engine.dispose()

    def open_session(self, transport: str, peer: str, **facts: Any) -> SessionInfo:
        raise RuntimeError("sessions are opened by the serving process")

    def close_session(self, info: SessionInfo) -> None:
        info.open = False
        self.sessions.pop(info.id, None)
        self.channel.send("closed", info.id)

    def signed_in(self, info: SessionInfo, operator: str | None, role: str | None) -> None:
        if (info.operator, info.role) != (operator, role):
            info.operator, info.role = operator, role
            self.channel.send("seat", info.id, operator, role, False)

    def active(self, info: SessionInfo, scanned: bool = False) -> None:
        info.last_active = time.time()
        if scanned:
            info.scans += 1
        self.channel.send("seat", info.id, info.operator, info.role, scanned)

    def summary(self) -> str:
        return self.said_summary

    def write_registry(self) -> None:
        pass


class SessionProcess:
    """This process's side of the channel: sessions opened, fed, resized and lost on the word
    of the serving process; their screens and ends sent back to it."""

    def __init__(self, hub: RemoteHub, channel: Channel) -> None:
        self.hub = hub
        self.channel = channel
        self.sessions: dict[str, ServedSession] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    def open(self, row: dict[str, Any], kind: TerminalKind, size: tuple[int, int]) -> None:
        info = SessionInfo(**row)
        session_id = info.id
        link = TerminalLink(
            kind,
            lambda data: self.channel.send("out", session_id, data),
            size,
            lambda: self.channel.send("end", session_id),
        )
        self.hub.sessions[session_id] = info
        served = ServedSession(self.hub, info, link)
        self.sessions[session_id] = served
        task = asyncio.get_running_loop().create_task(self._run(session_id, served), name=session_id)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, session_id: str, served: ServedSession) -> None:
        try:
            await served.run()
        finally:
            self.sessions.pop(session_id, None)

    def handle(self, message: tuple[Any, ...]) -> bool:
        """One message from the serving process; False once it says stop."""
        kind = message[0]
        if kind == "in":
            served = self.sessions.get(message[1])
            if served is not None:
                served.link.feed(message[2], message[3])
        elif kind == "open":
            self.open(message[1], message[2], message[3])
        elif kind == "resize":
            served = self.sessions.get(message[1])
            if served is not None:
                served.link.resize(message[2], message[3])
        elif kind == "lost":
            served = self.sessions.get(message[1])
            if served is not None:
                served.lost()
        elif kind == "exit":
            served = self.sessions.get(message[1])
            if served is not None:
                served.close()
        elif kind == "sync":
            self.hub.remote_sync.heard(message[1], message[2])
        elif kind == "summary":
            self.hub.said_summary = message[1]
        elif kind == "stop":
            return False
        return True

    async def stop(self) -> None:
        for served in list(self.sessions.values()):
            served.close()
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=10)


async def serve_sessions(sock: socket.socket) -> None:
    channel = await Channel.open(sock)
    first = await channel.receive()
    if first is None or first[0] != "init":
        return
    settings: StationSettings = first[1]
    hub = RemoteHub(settings, channel)
    process = SessionProcess(hub, channel)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    gc.freeze()  # the imports and the cache's startup objects live for the shift
    channel.send("ready")
    try:
        while True:
            message = await channel.receive()
            if message is None or not process.handle(message):
                break
    finally:
        await process.stop()
        await channel.drain()
        hub.close()
        channel.close()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the serving process, which stops us
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # as the serving process
    streams = sys.stdout, sys.stderr  # the apps redirect them while they run
    sock = socket.socket(fileno=int(sys.argv[1]))
    try:
        asyncio.run(serve_sessions(sock))
    finally:
        sys.stdout, sys.stderr = streams


if __name__ == "__main__":
    main()
