"""One served session: a station app with its own operator sign-in, on the hub's cache, writer
and sync worker, drawing to one remote terminal (a browser tab or an SSH connection)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from rich.color import ColorSystem

from lotscan.station.factory import station_app
from lotscan.station.serve.driver import StreamDriver, TerminalLink
from lotscan.station.serve.hub import SessionInfo, StationHub

log = logging.getLogger(__name__)
NETWORK_BURST_GAP_S = 0.15


class ServedSession:
    def __init__(self, hub: StationHub, info: SessionInfo, link: TerminalLink) -> None:
        self.hub = hub
        self.info = info
        self.link = link
        self.app = station_app(
            hub.settings,
            service=hub.service,
            hub=hub,
            seat=info,
            driver_class=StreamDriver,
            start_devices=False,  # the box's own devices are not the handheld's
        )
        self.app.terminal_link = link  # type: ignore[attr-defined]
        self.app.plain_terminal = link.kind.plain
        # Keys cross the Wi-Fi one message each (a browser sends every key on its own): jitter
        # can space a scanner's keys wider than the 50 ms a local terminal allows. A person on a
        # handheld keyboard is far slower than this still.
        wedge = self.app.wedge
        self.app.wedge = replace(wedge, config=replace(wedge.config, burst_gap_s=NETWORK_BURST_GAP_S))
        # Every session renders in true colour whatever this process's own terminal is; the
        # driver fits the output to the client (and styles cache their codes process-wide).
        self.app.console._color_system = ColorSystem.TRUECOLOR

    async def run(self) -> None:
        """Until the operator quits (Ctrl+Q) or the connection is lost."""
        try:
            await self.app.run_async(size=self.link.size)
        except Exception:
            log.exception("session %s failed", self.info.id)
        finally:
            self.hub.close_session(self.info)

    def lost(self) -> None:
        """The connection dropped (Wi-Fi gone, tab closed): end the session, judging nothing more."""
        self.info.open = False
        self.app.connection_lost()

    def close(self) -> None:
        """The station stops: the app ends as if the operator quit."""
        self.app.exit()


class Session(Protocol):
    """A session as its transport drives it: here (`ServedSession`) or in a session process
    (`serve.pool.RemoteSession`)."""

    info: SessionInfo
    link: TerminalLink

    async def run(self) -> None: ...

    def lost(self) -> None: ...

    def close(self) -> None: ...


SessionStarter = Callable[[SessionInfo, TerminalLink], Session]


def in_process(hub: StationHub) -> SessionStarter:
    """Every session's app in this process (`lotscan station --web --processes 0`)."""
    return lambda info, link: ServedSession(hub, info, link)
