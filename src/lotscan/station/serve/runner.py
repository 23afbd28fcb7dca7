"""Serving the station to handhelds: the browser front, the SSH front or both, on one hub (one
cache, one sync worker, one session registry), until Ctrl+C. The sessions' apps run in a few
session processes (`serve.pool`, one per core by default), or with `processes=0` all in this
process."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from lotscan.settings import StationSettings
from lotscan.station.serve.hub import StationHub
from lotscan.station.serve.pool import SessionPool
from lotscan.station.serve.session import SessionStarter, in_process
from lotscan.station.serve.ssh import load_device_keys, load_host_key, start_ssh
from lotscan.station.serve.web import WebFront, tls_context

log = logging.getLogger(__name__)
GIL_SWITCH_INTERVAL_S = 0.001  # as the local station: threads never hold a verdict's paint up
REGISTRY_TICK_S = 2.0


@dataclass(frozen=True)
class WebOptions:
    host: str
    port: int
    tls_cert: str | None = None
    tls_key: str | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.tls_cert else "http"
        return f"{scheme}://{self.host}:{self.port}/"


@dataclass(frozen=True)
class SshOptions:
    host: str
    port: int
    host_key: Path
    authorized_keys: Path

    @property
    def url(self) -> str:
        return f"ssh://{self.host}:{self.port}"


async def serve(
    settings: StationSettings,
    web_options: WebOptions | None,
    ssh_options: SshOptions | None,
    *,
    say: Callable[[str], None] = lambda line: print(line, flush=True),
    start_sync: bool = True,
    processes: int = 0,
) -> None:
    endpoints = {}
    if web_options:
        endpoints["web"] = web_options.url
    if ssh_options:
        endpoints["ssh"] = ssh_options.url
    streams = sys.stdout, sys.stderr  # the apps redirect them while they run
    hub = StationHub(settings, start_sync=start_sync, endpoints=endpoints)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runner: web.AppRunner | None = None
    front: WebFront | None = None
    ssh_server = None
    pool: SessionPool | None = None
    try:
        if ssh_options:  # the keys first: a bad key file is an error before anything starts
            load_device_keys(ssh_options.authorized_keys)
            load_host_key(ssh_options.host_key)
        hub.start()  # the sync worker, and the registry `lotscan station sessions` reads
        starter: SessionStarter = in_process(hub)
        if processes > 0:
            pool = SessionPool(hub, processes)
            await pool.start()
            starter = pool.start_session
        if ssh_options:
            ssh_server = await start_ssh(
                hub,
                ssh_options.host,
                ssh_options.port,
                ssh_options.host_key,
                ssh_options.authorized_keys,
                starter,
            )
        if web_options:
            front = WebFront(hub, starter)
            runner = web.AppRunner(front.application(), access_log=None, handle_signals=False)
            await runner.setup()
            context = tls_context(web_options.tls_cert, web_options.tls_key)
            await web.TCPSite(runner, web_options.host, web_options.port, ssl_context=context).start()
        gc.freeze()  # the station's startup objects live for the shift
        for what, url in endpoints.items():
            say(f"station {hub.settings.station_id}: {what} on {url}{_reach(url)}")
        where = f"{len(pool.processes)} session processes" if pool else "this process"
        say(f"cache {settings.database}; sessions run in {where}; lotscan station sessions lists them")
        say("Ctrl+C stops")
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), REGISTRY_TICK_S)
            except TimeoutError:
                hub.write_registry()  # also the sync workers running now
    finally:
        if front is not None:
            front.close_all()
        if ssh_server is not None:
            ssh_server.close()
        if pool is not None:
            await pool.stop()
        await asyncio.sleep(0.2)  # let the sessions' apps end and their last frames go out
        if runner is not None:
            await runner.cleanup()
        hub.close()
        sys.stdout, sys.stderr = streams


def _reach(url: str) -> str:
    if "://127.0.0.1:" in url or "://localhost:" in url:
        return " (this machine only: give --host 0.0.0.0 for the handhelds on the Wi-Fi)"
    return ""


def run_served(
    settings: StationSettings,
    web_options: WebOptions | None,
    ssh_options: SshOptions | None,
    processes: int = 0,
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)  # a line per packet otherwise
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl SQLiteImpl." per cache opened
    asyncio.run(serve(settings, web_options, ssh_options, processes=processes))
