"""`lotscan bench handhelds`: handhelds scanning together on one served station.

The real `lotscan station --web --ssh` runs in a child process on a copy of the big cache (1M lots
by default). Web sessions speak the browser client's websocket protocol (textual-serve's), SSH
sessions are asyncssh clients. Each client keeps its own VT100/xterm screen (pyte) to sign in;
while scanning it reads the rows the station draws into its verdict banner straight from the
bytes (a terminal emulator in Python for 20 clients would cost more CPU than the station).
Each session signs in with its own badge, opens the bench ASN and receives a new lot every
`--interval` seconds (staggered). Measured:

- keystroke to verdict at the client: from writing a scan's last key (Enter) to the moment the
  client receives the bytes that draw that scan's lot into the verdict banner (p50/p99/max);
- the station's memory (its process and its session processes): RSS before any session and
  with all sessions on, per session;
- the station's CPU (the same processes) over the scanning window (percent of one core);
- baseline from the same run: the same kind of scan judged and committed in-process with no UI
  and no network (`StationSession.submit`), so the ratio holds on a busy machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncssh
import click
import pyte

from benchmarks.bigcache import gtin_of
from benchmarks.ui import cached_database, timing
from lotscan.settings import StationSettings

BANNER_ROWS = range(1, 7)  # the status line is row 0; the verdict banner follows it
CURSOR = re.compile(rb"\x1b\[(\d+);(\d+)H")  # where the station draws the next characters
STYLE = re.compile(rb"\x1b\[[0-9;]*m")
TARGETS = {"keystroke_to_verdict_p99_ms": 100, "memory_per_session_mb": 60}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _letters(number: int, width: int) -> str:
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        out = chr(ord("A") + digit) + out
    return out


def _label(session: int, n: int) -> tuple[str, str]:
    """A receive label of the bench ASN's first item, with a lot no other scan uses."""
    # Letters only: digits in a lot can look like a count swallowed by it ((30)...), which the
    # station rightly questions. Session 99 is the in-process baseline.
    lot = "HH" + _letters(session, 2) + _letters(n, 4)
    expiry = (date.today() + timedelta(days=300)).strftime("%y%m%d")
    return lot, f"01{gtin_of(1)}17{expiry}10{lot}\x1d301"


def _in_banner(data: bytes, lot: bytes) -> bool:
    """Whether these bytes draw `lot` into a row of the verdict banner."""
    parts = CURSOR.split(data)
    for index in range(1, len(parts) - 2, 3):
        if int(parts[index]) - 1 in BANNER_ROWS and lot in STYLE.sub(b"", parts[index + 2]):
            return True
    return False


@dataclass
class Client:
    """One handheld's terminal: a pyte screen fed with what the station sends it."""

    index: int
    width: int
    height: int
    screen: pyte.Screen = field(init=False)
    stream: pyte.ByteStream = field(init=False)
    waiting: tuple[str, float] | None = None
    samples: list[float] = field(default_factory=list)
    shown: asyncio.Event = field(default_factory=asyncio.Event)
    scanning: bool = False  # signed in: read the banner rows from the bytes, not a screen
    tail: bytes = b""

    def __post_init__(self) -> None:
        self.screen = pyte.Screen(self.width, self.height)
        self.stream = pyte.ByteStream(self.screen)

    def received(self, data: bytes) -> None:
        if not self.scanning:
            self.stream.feed(data)
        if self.waiting is not None:
            lot, sent = self.waiting
            if _in_banner(self.tail + data, lot.encode()):
                self.samples.append(time.perf_counter() - sent)
                self.waiting = None
                self.shown.set()
        self.tail = data[-200:]  # a row split between two reads

    def text(self) -> str:
        return "\n".join(self.screen.display)


class _SshScreen(asyncssh.SSHClientSession[bytes]):
    def __init__(self, client: Client) -> None:
        self.client = client

    def data_received(self, data: bytes, datatype: Any) -> None:
        self.client.received(data)


async def _ssh_session(port: int, key: Path, client: Client, term: str) -> Any:
    conn = await asyncssh.connect(
        "127.0.0.1", port, username="bench", client_keys=[str(key)], known_hosts=None
    )
    chan, _ = await conn.create_session(
        lambda: _SshScreen(client), term_type=term, term_size=(client.width, client.height), encoding=None
    )

    async def send(keys: str) -> None:
        chan.write(keys.encode())

    async def close() -> None:
        conn.close()
        await conn.wait_closed()

    return send, close


async def _web_session(port: int, client: Client) -> Any:
    http = aiohttp.ClientSession()
    ws = await http.ws_connect(f"http://127.0.0.1:{port}/ws?width={client.width}&height={client.height}")

    async def read() -> None:
        async for message in ws:
            if message.type is aiohttp.WSMsgType.BINARY:
                client.received(message.data)

    reader = asyncio.create_task(read())

    async def send(keys: str) -> None:
        await ws.send_str(json.dumps(["stdin", keys]))

    async def close() -> None:
        await ws.close()
        reader.cancel()
        await http.close()

    return send, close


async def _wait_for(client: Client, needle: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while needle not in client.text():
        if time.monotonic() > deadline:
            raise click.ClickException(f"a session never showed {needle!r}:\n{client.text()}")
        await asyncio.sleep(0.05)


async def _shift(client: Client, send: Any, badge: str, interval: float, until: float, offset: float) -> int:
    await send(f"OP:{badge}\r")
    await _wait_for(client, "Signed in")
    await send("ASN:ASN-B1\r")
    await _wait_for(client, "ASN-B1")
    client.scanning = True
    await asyncio.sleep(offset)
    n = 0
    while time.monotonic() < until:
        started = time.monotonic()
        lot, label = _label(client.index, n)
        client.shown.clear()
        client.waiting = (lot, time.perf_counter())
        await send(label + "\r")
        try:
            await asyncio.wait_for(client.shown.wait(), 30)
        except TimeoutError:
            client.waiting = None  # counted as missing below
        n += 1
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
    return n


def _station_pids(pid: int) -> list[int]:
    """The station and its session processes (its children)."""
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            pids.append(int(stat.parent.name))
    return pids


def _rss_mb(pid: int) -> float:
    """Resident memory of the station and its session processes."""
    total = 0.0
    for each in _station_pids(pid):
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:"))
    return total


def _cpu_s(pid: int) -> float:
    """CPU seconds used by the station and its session processes."""
    total = 0.0
    for each in _station_pids(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _baseline(database: Path, scans: int) -> dict[str, Any]:
    """The same receive scans judged and committed with no UI and no network."""
    from lotscan.services.session import open_session

    session = open_session(replace(StationSettings(), database=database, station_id="BENCH"))
    session.submit("OP:100")
    session.submit("ASN:ASN-B1")
    samples = []
    for n in range(scans):
        _, label = _label(99, n)
        started = time.perf_counter()
        session.submit(label)
        samples.append(time.perf_counter() - started)
    session.service.engine.dispose()
    return timing(sorted(samples))


def _prepare(tmp: Path, source: Path, sessions: int, ssh: int) -> tuple[Path, Path, list[Path]]:
    database = tmp / "station.db"
    shutil.copyfile(source, database)
    db = sqlite3.connect(database)
    with db:
        db.executemany(
            "INSERT INTO operators (badge, name, role, pin_hash) VALUES (?, ?, 'operator', NULL)",
            [(str(2000 + n), f"Handheld {n:02d}") for n in range(sessions)],
        )
    db.close()
    keys = []
    public = []
    for n in range(ssh):
        key = asyncssh.generate_private_key("ssh-ed25519", comment=f"gun-{n:02d}")
        path = tmp / f"gun-{n:02d}"
        key.write_private_key(str(path))
        keys.append(path)
        public.append(key.export_public_key().decode().strip())
    authorized = tmp / "authorized_keys"
    authorized.write_text("\n".join(public) + "\n")
    return database, authorized, keys


def _start_station(
    tmp: Path, database: Path, authorized: Path, web_port: int, ssh_port: int, processes: int | None
) -> Any:
    command = [
        str(Path(sys.executable).parent / "lotscan"), "station", "--db", str(database), "--web", "--ssh",
        "--port", str(web_port), "--ssh-port", str(ssh_port), "--authorized-keys", str(authorized),
        "--host-key", str(tmp / "host_key"),
    ]  # fmt: skip
    if processes is not None:
        command += ["--processes", str(processes)]
    env = dict(os.environ, XDG_DATA_HOME=str(tmp), XDG_CONFIG_HOME=str(tmp))
    log = (tmp / "station.log").open("w")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    assert child.stdout is not None
    for line in child.stdout:
        if "Ctrl+C stops" in line:
            return child
    raise click.ClickException(f"the station did not start: {(tmp / 'station.log').read_text()[-2000:]}")


async def _run(
    web_port: int,
    ssh_port: int,
    keys: list[Path],
    web: int,
    ssh: int,
    seconds: float,
    interval: float,
    pid: int,
) -> dict[str, Any]:
    clients: list[Client] = []
    sessions = []
    rss_idle = _rss_mb(pid)
    for n in range(web + ssh):
        if n < web:
            client = Client(n, 40, 30)  # a 480x800 browser at 20 px
            sessions.append(await _web_session(web_port, client))
        else:
            client = Client(n, 40, 16)  # an RF gun
            term = "vt100" if n % 2 else "xterm-256color"
            sessions.append(await _ssh_session(ssh_port, keys[n - web], client, term))
        clients.append(client)
    for client in clients:
        await _wait_for(client, "Scan>")
    until = time.monotonic() + 4 + seconds
    cpu_before, wall_before, client_before = _cpu_s(pid), time.monotonic(), time.process_time()
    counts = await asyncio.gather(
        *(
            _shift(client, send, str(2000 + client.index), interval, until, interval * i / len(clients))
            for i, (client, (send, _)) in enumerate(zip(clients, sessions, strict=True))
        )
    )
    wall = time.monotonic() - wall_before
    cpu = (_cpu_s(pid) - cpu_before) / wall
    client_cpu = (time.process_time() - client_before) / wall
    rss_busy = _rss_mb(pid)
    for _, close in sessions:
        await close()
    samples = sorted(s for client in clients for s in client.samples)
    return {
        "scans_sent": sum(counts),
        "verdicts_seen": len(samples),
        "samples": samples,
        "web": sorted(s for c in clients[:web] for s in c.samples),
        "ssh": sorted(s for c in clients[web:] for s in c.samples),
        "rss_idle_mb": rss_idle,
        "rss_busy_mb": rss_busy,
        "cpu_percent_of_one_core": round(cpu * 100, 1),
        "client_cpu_percent_of_one_core": round(client_cpu * 100, 1),
    }


@click.command()
@click.option("--lots", default=1_000_000, show_default=True, help="Lots in the bench cache.")
@click.option("--web", "web_sessions", default=10, show_default=True, help="Browser sessions.")
@click.option("--ssh", "ssh_sessions", default=10, show_default=True, help="SSH sessions.")
@click.option("--seconds", default=60.0, show_default=True, help="How long they scan.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between one session's scans.")
@click.option(
    "--processes",
    type=click.IntRange(0, 64),
    help="The station's session processes (default: the station's, one per core; 0: one process).",
)
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where big caches live.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def command(
    lots: int,
    web_sessions: int,
    ssh_sessions: int,
    seconds: float,
    interval: float,
    processes: int | None,
    cache_dir: Path | None,
    as_json: bool,
) -> None:
    """Keystroke to verdict at the client, memory per session and station CPU with many handhelds.

    \b
    Examples:
      lotscan bench handhelds --lots 20000 --web 2 --ssh 2 --seconds 10 --json
    """
    source = cached_database(lots, cache_dir)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="lotscan-bench-handhelds-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        database, authorized, keys = _prepare(folder, source, web_sessions + ssh_sessions, ssh_sessions)
        baseline = _baseline(database, 200)
        web_port, ssh_port = _free_port(), _free_port()
        child = _start_station(folder, database, authorized, web_port, ssh_port, processes)
        try:
            time.sleep(1.0)
            result = asyncio.run(
                _run(web_port, ssh_port, keys, web_sessions, ssh_sessions, seconds, interval, child.pid)
            )
        finally:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
        db = sqlite3.connect(database)
        recorded = db.execute(
            "SELECT COUNT(DISTINCT lot_code) FROM events"
            " WHERE lot_code LIKE 'HH%' AND lot_code NOT LIKE 'HHDV%'"
        ).fetchone()[0]
        db.close()
    sessions = web_sessions + ssh_sessions
    figures = {
        "benchmark": "handhelds",
        "lots": lots,
        "sessions": {"web": web_sessions, "ssh": ssh_sessions},
        "session_processes": processes if processes is not None else os.cpu_count(),
        "interval_s": interval,
        "seconds": seconds,
        "scans_sent": result["scans_sent"],
        "verdicts_seen": result["verdicts_seen"],
        "scans_recorded": recorded,  # each scan a new lot: all sent are recorded, none twice
        "keystroke_to_verdict_ms": timing(result["samples"]),
        "keystroke_to_verdict_web_ms": timing(result["web"]),
        "keystroke_to_verdict_ssh_ms": timing(result["ssh"]),
        "baseline_judge_and_commit_ms": baseline,
        "station_rss_idle_mb": round(result["rss_idle_mb"], 1),
        "station_rss_with_sessions_mb": round(result["rss_busy_mb"], 1),
        "memory_per_session_mb": round((result["rss_busy_mb"] - result["rss_idle_mb"]) / max(1, sessions), 2),
        "station_cpu_percent_of_one_core": result["cpu_percent_of_one_core"],
        # The handhelds' terminals (pyte screens) run in this process, on the same 2 cores.
        "clients_cpu_percent_of_one_core": result["client_cpu_percent_of_one_core"],
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "targets": TARGETS,
    }
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    times = figures["keystroke_to_verdict_ms"]
    click.echo(
        f"{sessions} sessions on {lots} lots: keystroke to verdict p50 {times.get('p50')} ms, "
        f"p99 {times.get('p99')} ms; {figures['memory_per_session_mb']} MB per session; "
        f"station CPU {figures['station_cpu_percent_of_one_core']}% of a core"
    )
