"""The session processes of a serving station (`serve.worker`): a few processes, one per core by
default, each running the station apps of some sessions, so twenty handhelds' screens are not
painted one after another in one interpreter.

This process keeps what must be one for the station: the connections (web, SSH), the session
registry and the ONE sync worker (`serve.hub`). It gives each new session to the process with
the fewest, relays its keystrokes, sizes and screens, tells every process the sync state and
the sessions summary (for a supervisor's status line), and passes their nudges to the sync
worker. What a session shows as recorded was committed by its process before it was drawn.

A session process that dies (a crash, the kernel's OOM killer, a `kill`) ends its own sessions
only; this process logs it and starts another in its place, so the station keeps its capacity.
One that dies soon after it started is restarted after a growing pause, not in a tight loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from textual._time import get_time

from lotscan.station.serve.channel import Channel
from lotscan.station.serve.driver import TerminalLink
from lotscan.station.serve.hub import SessionInfo, StationHub
from lotscan.station.serve.session import ServedSession, Session

log = logging.getLogger(__name__)
START_TIMEOUT_S = 120.0  # a busy box imports slowly; the station says it is ready only after
STOP_TIMEOUT_S = 15.0
SHORT_LIFE_S = 30.0  # a process that dies sooner than this after starting is restarted after a pause
RESTART_PAUSES_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class RemoteSession:
    """A session whose app runs in a session process; the transport drives it as a local one."""

    def __init__(self, process: _Process, info: SessionInfo, link: TerminalLink) -> None:
        self.process = process
        self.info = info
        self.link = link
        self.done = asyncio.Event()

    # the link's terminal: keystrokes and sizes go to the session's process
    def feed(self, data: str, arrived: float | None = None) -> None:
        # When the keys came off the network here: a pause of this process before its session
        # process reads them must not split a scanner's burst (monotonic time is machine-wide).
        self.process.channel.send("in", self.info.id, data, get_time() if arrived is None else arrived)

    def resize(self, width: int, height: int) -> None:
        self.process.channel.send("resize", self.info.id, width, height)

    async def run(self) -> None:
        """Until the session's app has ended in its process."""
        await self.done.wait()

    def lost(self) -> None:
        """The connection dropped: the app ends, judging nothing more."""
        self.info.open = False
        self.process.channel.send("lost", self.info.id)

    def close(self) -> None:
        self.process.channel.send("exit", self.info.id)


@dataclass
class _Process:
    child: asyncio.subprocess.Process
    channel: Channel
    sessions: dict[str, RemoteSession] = field(default_factory=dict)
    reader: asyncio.Task[None] | None = None
    alive: bool = True
    started: float = field(default_factory=time.monotonic)
    quick_deaths: int = 0  # deaths in a row, each soon after its start: how long to wait before the next


class SessionPool:
    def __init__(self, hub: StationHub, processes: int) -> None:
        self.hub = hub
        self.size = max(1, processes)
        self.processes: list[_Process] = []
        self._summary = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._restarts: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.processes = list(await asyncio.gather(*(self._spawn() for _ in range(self.size))))
        for process in self.processes:
            self._read(process)
        self.hub.session_pids = [process.child.pid for process in self.processes]
        if self.hub.sync is not None:
            self.hub.sync.listen(self._sync_state)
        self._push_summary()

    async def _spawn(self) -> _Process:
        ours, theirs = socket.socketpair()
        try:
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "lotscan.station.serve.worker", str(theirs.fileno()),
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        finally:
            theirs.close()
        channel = await Channel.open(ours)
        channel.send("init", self.hub.settings)
        try:
            ready = await asyncio.wait_for(channel.receive(), START_TIMEOUT_S)
        except TimeoutError:
            ready = None
        except BaseException:  # cancelled (the station stops meanwhile): no process left behind
            child.kill()
            channel.close()
            raise
        if ready != ("ready",):
            child.kill()
            channel.close()
            raise RuntimeError("a session process did not start; see the station log")
        return _Process(child, channel)

    def _read(self, process: _Process) -> None:
        process.reader = asyncio.create_task(self._listen(process), name=f"sessions-{process.child.pid}")

    def start_session(self, info: SessionInfo, link: TerminalLink) -> Session:
        """The transports' session starter: the new session goes to the least busy process
        still running (here, if none is)."""
        alive = [p for p in self.processes if p.alive]
        if not alive:
            return ServedSession(self.hub, info, link)
        process = min(alive, key=lambda p: len(p.sessions))
        session = RemoteSession(process, info, link)
        process.sessions[info.id] = session
        link.attach(session)  # keystrokes that came early go now
        process.channel.send("open", info.as_row(), link.kind, link.size)
        self._push_summary()
        return session

    async def _listen(self, process: _Process) -> None:
        while True:
            message = await process.channel.receive()
            if message is None:
                break
            try:
                self._handle(process, message)
            except Exception:
                log.exception("a message from session process %s failed", process.child.pid)
        process.alive = False
        lost = len(process.sessions)
        for session in list(process.sessions.values()):  # the process is gone: so are its sessions
            session.link.ended()
            self._closed(process, session.info.id)
        if self._stopping:
            return
        try:  # its end of the channel closed: it is gone, or going
            code = await asyncio.wait_for(process.child.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            process.child.kill()
            code = await process.child.wait()
        process.channel.close()
        log.error(
            "session process %s ended (exit %s) and %d session(s) with it; starting another in its place",
            process.child.pid,
            code,
            lost,
        )
        task = asyncio.create_task(self._replace(process), name=f"restart-{process.child.pid}")
        self._restarts.add(task)
        task.add_done_callback(self._restarts.discard)

    async def _replace(self, dead: _Process) -> None:
        """Start a session process in place of one that died; new sessions go to the others
        (or to this process, if none is left) meanwhile."""
        quick = dead.quick_deaths + 1 if time.monotonic() - dead.started < SHORT_LIFE_S else 0
        attempt = quick
        while not self._stopping:
            if attempt:
                pause = RESTART_PAUSES_S[min(attempt, len(RESTART_PAUSES_S)) - 1]
                log.warning("waiting %.0f s before starting a session process again", pause)
                await asyncio.sleep(pause)
            try:
                process = await self._spawn()
            except Exception:
                log.exception("a session process did not start in place of %s", dead.child.pid)
                attempt += 1
                continue
            process.quick_deaths = quick
            if self._stopping:  # the station stopped meanwhile
                process.channel.send("stop")
                await process.channel.drain()
                await process.child.wait()
                process.channel.close()
                return
            self.processes[self.processes.index(dead)] = process
            self._read(process)
            self.hub.session_pids = [p.child.pid for p in self.processes]
            self.hub.write_registry()
            if self.hub.sync is not None and self.hub.sync.last is not None:
                state, facts = self.hub.sync.last
                self._sync_state(state, **facts)
            process.channel.send("summary", self._summary)
            log.warning("session process %s started in place of %s", process.child.pid, dead.child.pid)
            return

    def _handle(self, process: _Process, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "out":
            session = process.sessions.get(message[1])
            if session is not None:
                session.link.send(message[2])
        elif kind == "seat":
            session = process.sessions.get(message[1])
            if session is not None:
                self.hub.signed_in(session.info, message[2], message[3])
                self.hub.active(session.info, scanned=message[4])
                self._push_summary()
        elif kind == "end":
            session = process.sessions.get(message[1])
            if session is not None:
                session.link.ended()
        elif kind == "closed":
            self._closed(process, message[1])
        elif kind == "nudge" and self.hub.sync is not None:
            self.hub.sync.nudge()

    def _closed(self, process: _Process, session_id: str) -> None:
        session = process.sessions.pop(session_id, None)
        if session is None:
            return
        self.hub.close_session(session.info)
        session.done.set()
        self._push_summary()

    def _push_summary(self) -> None:
        summary = self.hub.summary()
        if summary != self._summary:
            self._summary = summary
            self._broadcast("summary", summary)

    def _broadcast(self, *message: Any) -> None:
        for process in self.processes:
            process.channel.send(*message)

    def _sync_state(self, state: Any, **facts: Any) -> None:
        """The sync worker's state (its thread): to every process, from the event loop."""
        word = str(getattr(state, "value", state))
        plain = {key: facts.get(key) for key in ("detail", "pending", "cache_age_s") if key in facts}
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._broadcast, "sync", word, plain)

    async def stop(self) -> None:
        self._stopping = True
        for restart in list(self._restarts):
            restart.cancel()
        if self._restarts:
            await asyncio.wait(list(self._restarts), timeout=STOP_TIMEOUT_S)
        if self.hub.sync is not None:
            self.hub.sync.forget(self._sync_state)
        self._broadcast("stop")
        for process in self.processes:
            with contextlib.suppress(Exception):
                await process.channel.drain()
        for process in self.processes:
            try:
                await asyncio.wait_for(process.child.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("session process %s did not stop; killing it", process.child.pid)
                process.child.kill()
                await process.child.wait()
            if process.reader is not None:
                with contextlib.suppress(Exception):
                    await process.reader
            process.channel.close()
