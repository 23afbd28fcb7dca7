"""A real `lotscan station --web --ssh` on a fresh demo cache, and handhelds that drive it: an SSH
client on a VT100 screen (pyte), and the browser client's websocket protocol (textual-serve's).

The README's demo journey is typed as keystrokes, GS included (0x1D in the element strings).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncssh
import pyte
from sqlalchemy import create_engine, text

from lotscan.codes.bracketed import looks_bracketed, parse_bracketed
from lotscan.codes.gs1 import element_string
from lotscan.services.demo import demo_barcodes
from lotscan.services.importer import import_tables, read_source
from lotscan.store.db import open_cache

LEVELS = re.compile(r"\b(ACCEPTED|WARNING|REJECTED)\b")
# A badge, a task or a command is a NOTICE: said in a neutral style, with no verdict word.
JOURNEY = [  # (what the README's demo walk-through scans, the verdicts it may give)
    ("Sign in (operator)", {"NOTICE"}),
    ("ASN to receive against", {"NOTICE"}),
    ("Receive: new flour lot, good shelf life", {"ACCEPTED"}),
    ("Receive: flour with short shelf life (warning)", {"WARNING"}),
    ("Pick list", {"NOTICE"}),
    ("Pick: the FEFO lot of ginger nuts (accepted)", {"ACCEPTED"}),
    ("Work order", {"NOTICE"}),
    ("Consume: flour lot that is RECALLED (rejected)", {"REJECTED"}),
    ("Consume: released flour lot", {"ACCEPTED", "WARNING"}),
]


def keystrokes(code: str) -> str:
    """What a keyboard-wedge scanner types for a demo barcode: GS1 as its element string."""
    if looks_bracketed(code):
        elements, _ = parse_bracketed(code)
        return element_string(elements)
    return code


def journey() -> list[tuple[str, str, set[str]]]:
    codes = dict(demo_barcodes())
    return [(what, keystrokes(codes[what]), levels) for what, levels in JOURNEY]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[str]
    database: Path
    web_port: int
    ssh_port: int
    keys: dict[str, Path]
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/"

    def events(self) -> list[Any]:
        engine = create_engine(f"sqlite:///{self.database}")
        try:
            with engine.connect() as conn:
                return list(conn.execute(text("SELECT * FROM events ORDER BY seq")).all())
        finally:
            engine.dispose()

    def registry(self) -> dict[str, Any]:
        return json.loads(Path(f"{self.database}.sessions.json").read_text())


@contextlib.contextmanager
def served_station(
    tmp: Path,
    operators: int = 0,
    devices: int = 2,
    config: str = "",
    extra: tuple[str, ...] = (),
    enrolled: str = "",
    demo: bool = True,
) -> Iterator[Served]:
    """`lotscan station --web --ssh --processes 2` on a new demo cache, with `operators` extra badges
    (2001, 2002, ...) and a big ASN for them (ASN-9001), one SSH key per device (gun-01, ...),
    `config` as its station.toml and, if given, the name central gave at enrolment (`enrolled`)
    stored in the cache. Not `demo`: an empty cache of its own, which `lotscan enroll` fills (the
    demo cache may not be enrolled)."""
    from lotscan.cli.demo_cmd import prepare_demo

    env = dict(os.environ, XDG_DATA_HOME=str(tmp / "data"), XDG_CONFIG_HOME=str(tmp / "config"))
    database = tmp / "station.db"
    if demo:
        prepare_demo(database, reset=True)
    else:
        open_cache(database).dispose()
    if operators:
        badges = tmp / "badges"
        badges.mkdir()
        rows = [f"{2000 + n},Handheld Operator {n:02d},operator," for n in range(1, operators + 1)]
        (badges / "operators.csv").write_text("badge,name,role,pin\n" + "\n".join(rows) + "\n")
        # An ASN big enough for their shift (25 KG sacks): ASN-9001, 100,000 KG of flour.
        (badges / "tasks.csv").write_text(
            "code,kind,status,partner,due,item,planned_qty,line,location\n"
            "ASN-9001,asn,open,Millers Ltd,today,,,,DOCK-IN\n"
        )
        (badges / "task_lines.csv").write_text(
            "task,line_no,item,qty_expected,qty_done,lot,sscc\nASN-9001,1,FLOUR-T55,100000,0,,\n"
        )
        engine = create_engine(f"sqlite:///{database}")
        with engine.begin() as conn:
            import_tables(conn, read_source(badges))
        engine.dispose()
    if enrolled:
        engine = create_engine(f"sqlite:///{database}")
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO sync_state (key, value) VALUES ('station', :name)"), {"name": enrolled}
            )
        engine.dispose()
    keys: dict[str, Path] = {}
    public: list[str] = []
    for n in range(1, devices + 1):
        name = f"gun-{n:02d}"
        key = asyncssh.generate_private_key("ssh-ed25519", comment=name)
        keys[name] = tmp / name
        key.write_private_key(str(keys[name]))
        public.append(key.export_public_key().decode().strip())
    (tmp / "authorized_keys").write_text("\n".join(public) + "\n")
    web_port, ssh_port = free_port(), free_port()
    command = [
        str(Path(sys.executable).parent / "lotscan"), "station", "--db", str(database),
        "--web", "--ssh", "--port", str(web_port), "--ssh-port", str(ssh_port),
        "--authorized-keys", str(tmp / "authorized_keys"), "--host-key", str(tmp / "host_key"),
        "--processes", "2",
    ]  # fmt: skip
    command += extra
    if config:
        (tmp / "station.toml").write_text(config)
        command[2:2] = ["--config", str(tmp / "station.toml")]
    log = (tmp / "station.log").open("w")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    served = Served(process, database, web_port, ssh_port, keys)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                log_text = (tmp / "station.log").read_text()
                raise AssertionError(f"the station did not start: {log_text[-2000:]}")
            served.output.append(line)
            if "Ctrl+C stops" in line:
                break
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class _Screen(asyncssh.SSHClientSession[bytes]):
    def __init__(self, width: int, height: int) -> None:
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.changed = time.monotonic()
        self.closed = False

    def data_received(self, data: bytes, datatype: Any) -> None:
        self.raw += data
        self.stream.feed(data)
        self.changed = time.monotonic()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True


class SshHandheld:
    """An RF gun on SSH: a terminal of `term` type and size, keystrokes as bytes."""

    def __init__(self, served: Served, device: str, width: int, height: int, term: str = "vt100") -> None:
        self.served, self.device, self.size, self.term = served, device, (width, height), term
        self.conn: asyncssh.SSHClientConnection | None = None
        self.chan: Any = None
        self.session: _Screen | None = None

    async def connect(self) -> SshHandheld:
        self.conn = await asyncssh.connect(
            "127.0.0.1", self.served.ssh_port, username="handheld",
            client_keys=[str(self.served.keys[self.device])], known_hosts=None,
        )  # fmt: skip
        width, height = self.size
        self.chan, self.session = await self.conn.create_session(
            lambda: _Screen(width, height), term_type=self.term, term_size=self.size, encoding=None
        )
        await self.wait_for("Scan>")
        return self

    @property
    def screen(self) -> str:
        assert self.session is not None
        return "\n".join(self.session.screen.display)

    async def wait_for(self, needle: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.screen:
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never shown:\n{self.screen}")
            await asyncio.sleep(0.05)

    async def settled(self, before: str, timeout: float = 20, quiet: float = 0.4) -> str:
        """The screen once it has changed from `before` and then stayed still for `quiet` s."""
        assert self.session is not None
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if self.screen != before and now - self.session.changed > quiet:
                return self.screen
            if now > deadline:
                raise AssertionError(f"no new verdict on screen:\n{self.screen}")
            await asyncio.sleep(0.05)

    def type(self, keys: str) -> None:
        self.chan.write(keys.encode("utf-8"))

    async def scan(self, keys: str, suffix: str = "\r") -> str:
        """Fire a scan as one burst and return the verdict level shown (NOTICE: none, the
        neutral banner of a badge, task or command)."""
        before = self.screen
        self.type(keys + suffix)
        shown = await self.settled(before)
        found = LEVELS.search(shown)
        return found.group(1) if found else "NOTICE"

    def cut(self) -> None:
        """The Wi-Fi goes: the connection drops without a goodbye."""
        assert self.conn is not None
        self.conn.abort()

    async def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            await self.conn.wait_closed()


class WebHandheld:
    """A browser tab as textual-serve's client speaks to the server (no browser: for load)."""

    def __init__(self, served: Served, width: int = 40, height: int = 30) -> None:
        self.served, self.size = served, (width, height)
        self.http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.reader: asyncio.Task[None] | None = None

    async def connect(self) -> WebHandheld:
        self.http = aiohttp.ClientSession()
        width, height = self.size
        self.ws = await self.http.ws_connect(f"{self.served.url}ws?width={width}&height={height}")
        self.reader = asyncio.create_task(self._read())
        deadline = time.monotonic() + 20
        while "Scan>" not in self.text:
            assert time.monotonic() < deadline, self.text
            await asyncio.sleep(0.05)
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            if message.type is aiohttp.WSMsgType.BINARY:
                self.stream.feed(message.data)

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def type(self, keys: str) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps(["stdin", keys]))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(Exception):
                await self.reader
        if self.http is not None:
            await self.http.close()
