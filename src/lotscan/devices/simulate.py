"""Hardware stand-ins for tests, demos and integrators: a pseudo-terminal or a TCP socket that
behaves like a scanner, an R2000 UHF reader or an RDM6300 badge reader.

``PtyPort`` can be "unplugged" and "replugged": the pty goes away and a new one appears behind
the same stable symlink, as a USB device does behind /dev/serial/by-id.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import socket
import threading
import time
import tty
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path

from lotscan.devices import r2000
from lotscan.devices.profiles import Profile
from lotscan.devices.rdm6300 import badge_frame

GS = "\x1d"


class SimPort(ABC):
    """The device end of a simulated serial line."""

    @property
    @abstractmethod
    def address(self) -> str:
        """What the station puts in ``port``: a path or a socket:// URL."""

    @abstractmethod
    def write(self, data: bytes) -> None: ...

    @abstractmethod
    def read(self, timeout: float) -> bytes: ...

    @abstractmethod
    def unplug(self) -> None: ...

    @abstractmethod
    def replug(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> SimPort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PtyPort(SimPort):
    """A pseudo-terminal; ``link`` (optional) is a stable symlink to its current slave."""

    def __init__(self, link: str | os.PathLike[str] | None = None) -> None:
        self.link = Path(link) if link else None
        self.master = -1
        self._slave = -1
        self.slave_path = ""
        self.replug()

    @property
    def address(self) -> str:
        return str(self.link) if self.link else self.slave_path

    def replug(self) -> None:
        if self.master >= 0:
            return
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo or CR/LF mangling before the reader configures it
        self.slave_path = os.ttyname(self._slave)
        if self.link:
            tmp = self.link.with_name(self.link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(self.slave_path)
            tmp.replace(self.link)

    def unplug(self) -> None:
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
        for fd in (self.master, self._slave):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master = self._slave = -1

    close = unplug

    def write(self, data: bytes) -> None:
        if self.master < 0:
            raise OSError("the simulated device is unplugged")
        view = memoryview(data)
        while view:
            written = os.write(self.master, view)
            view = view[written:]

    def read(self, timeout: float) -> bytes:
        if self.master < 0:
            time.sleep(timeout)
            return b""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self.master, 4096)
        except OSError:
            return b""


class TcpPort(SimPort):
    """A TCP server, as a serial device server in a warehouse offers: ``socket://host:port``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: socket.socket | None = None
        self._client: socket.socket | None = None
        self._lock = threading.Lock()
        self._accepted = threading.Event()
        self.replug()

    @property
    def address(self) -> str:
        return f"socket://{self.host}:{self.port}"

    def replug(self) -> None:
        if self._server:
            return
        server = socket.create_server((self.host, self.port), reuse_port=False)
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._client:
                    self._client.close()
                self._client = client
            self._accepted.set()

    def wait_client(self, timeout: float = 5.0) -> bool:
        return self._accepted.wait(timeout)

    def write(self, data: bytes) -> None:
        if not self.wait_client():
            raise OSError("no reader connected to the simulated device")
        with self._lock:
            assert self._client is not None
            self._client.sendall(data)

    def read(self, timeout: float) -> bytes:
        if not self._accepted.wait(timeout):
            return b""
        with self._lock:
            client = self._client
        if client is None:
            return b""
        ready, _, _ = select.select([client], [], [], timeout)
        if not ready:
            return b""
        try:
            return client.recv(4096)
        except OSError:
            return b""

    def unplug(self) -> None:
        with self._lock:
            for sock in (self._client, self._server):
                if sock:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
            self._client = self._server = None
            self._accepted.clear()

    close = unplug


def scanner_bytes(code: str, profile: Profile, *, aim_id: str | None = None) -> bytes:
    """What a scanner configured like ``profile`` sends for ``code`` (GS as 0x1D in ``code``)."""
    text = code
    if profile.gs_substitute:
        text = text.replace(GS, profile.gs_substitute)
    if aim_id and profile.aim_ids != "none":
        text = aim_id + text
    stx = "\x02" if profile.suffix == "ETX" and not profile.prefix else ""
    return (profile.prefix + stx + text).encode("utf-8") + profile.suffix_bytes


# Labels of the demo master data (config/demo/barcodes.md), as scanners send them.
DEMO_CODES: tuple[tuple[str, str], ...] = (
    ("]C0", "OP:1001"),
    ("]C0", "ASN:ASN-1001"),
    ("]C1", "011952123400101710FLO9313B"),
    ("]d2", f"011952123400103110SG25002{GS}3010"),
    ("]C1", "00095212340000000013"),
    ("]C0", "LOC:RM-A01"),
    ("]Q1", "https://id.gs1.org/01/09521234001348/10/FG3526E"),
    ("]C1", f"0119521234001017172812311024A117{GS}21SN0001"),
)


class ScannerSimulator:
    """Sends scans like a real serial scanner: suffix, AIM ids, GS or its substitute, and
    optionally each scan split into several writes."""

    def __init__(self, port: SimPort, profile: Profile, *, split: bool = False) -> None:
        self.port = port
        self.profile = profile
        self.split = split

    def send(self, code: str, *, aim_id: str | None = None) -> bytes:
        data = scanner_bytes(code, self.profile, aim_id=aim_id)
        if self.split and len(data) > 4:
            cut = len(data) // 2
            self.port.write(data[:cut])
            time.sleep(0.005)
            self.port.write(data[cut:])
        else:
            self.port.write(data)
        return data

    def send_garbage(self, size: int = 32, seed: int = 0) -> bytes:
        noise = bytes(random.Random(seed).randrange(0x80, 0x100) for _ in range(size))
        self.port.write(noise + self.profile.suffix_bytes)
        return noise


class BadgeSimulator:
    def __init__(self, port: SimPort) -> None:
        self.port = port

    def present(self, card_hex: str, repeats: int = 3) -> None:
        for _ in range(repeats):
            self.port.write(badge_frame(card_hex))
            time.sleep(0.01)


class R2000Simulator:
    """An R2000 reader: answers commands, and each real-time inventory round reports the tags
    in the field, with optional line noise, split writes and a corrupted frame now and then."""

    def __init__(
        self,
        port: SimPort,
        tags: Sequence[tuple[str, int]] = (),
        *,
        address: int = 1,
        noise: bool = False,
        split: bool = False,
        corrupt_every: int = 0,
        seed: int = 0,
    ) -> None:
        self.port = port
        self.address = address
        self.noise = noise
        self.split = split
        self.corrupt_every = corrupt_every
        self.random = random.Random(seed)
        self._tags: list[tuple[str, int]] = list(tags)
        self._lock = threading.Lock()
        self.antenna = 1
        self.power_dbm = 30
        self.rounds = 0
        self.reports_sent = 0
        self.corrupted = 0
        self.commands: list[int] = []
        self._parser = r2000.FrameParser()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="r2000-sim")

    def set_tags(self, tags: Iterable[tuple[str, int]]) -> None:
        with self._lock:
            self._tags = list(tags)

    def start(self) -> R2000Simulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _serve(self) -> None:
        while not self._stop.is_set():
            data = self.port.read(0.05)
            if not data:
                continue
            for frame in self._parser.feed(data):
                self.commands.append(frame.cmd)
                try:
                    self._answer(frame)
                except OSError:
                    break  # unplugged mid-answer

    def _answer(self, frame: r2000.Frame) -> None:
        if frame.cmd == r2000.CMD_REAL_TIME_INVENTORY:
            self._inventory_round()
        elif frame.cmd == r2000.CMD_SET_WORK_ANTENNA:
            self.antenna = frame.data[0] + 1
            self._send(r2000.result_frame(frame.cmd, address=self.address))
        elif frame.cmd == r2000.CMD_SET_OUTPUT_POWER:
            self.power_dbm = frame.data[0]
            self._send(r2000.result_frame(frame.cmd, address=self.address))
        elif frame.cmd == r2000.CMD_GET_OUTPUT_POWER:
            self._send(r2000.result_frame(frame.cmd, self.power_dbm, address=self.address))
        else:
            self._send(r2000.result_frame(frame.cmd, address=self.address))

    def _inventory_round(self) -> None:
        self.rounds += 1
        with self._lock:
            tags = list(self._tags)
        out = bytearray()
        for epc_hex, rssi in tags:
            frame = bytearray(
                r2000.tag_report_frame(
                    bytes.fromhex(epc_hex),
                    rssi_dbm=rssi,
                    antenna=self.antenna,
                    address=self.address,
                )
            )
            self.reports_sent += 1
            if self.corrupt_every and self.reports_sent % self.corrupt_every == 0:
                frame[-2] ^= 0x01  # flip an RSSI bit: the checksum no longer matches
                self.corrupted += 1
            if self.noise and self.random.random() < 0.2:
                out += bytes(self.random.randrange(0, 0xA0) for _ in range(self.random.randrange(1, 4)))
            out += frame
        out += r2000.round_end_frame(self.antenna, len(tags) * 10, len(tags), address=self.address)
        self._send(bytes(out))

    def _send(self, data: bytes) -> None:
        if self.split and len(data) > 8:
            cut = self.random.randrange(1, len(data) - 1)
            self.port.write(data[:cut])
            time.sleep(0.002)
            self.port.write(data[cut:])
        else:
            self.port.write(data)


# (company prefix digits) -> (partition, company prefix bits, item reference bits), TDS table 14-2
_SGTIN_PARTITIONS = {
    12: (0, 40, 4),
    11: (1, 37, 7),
    10: (2, 34, 10),
    9: (3, 30, 14),
    8: (4, 27, 17),
    7: (5, 24, 20),
    6: (6, 20, 24),
}


def sgtin96_hex(gtin14: str, serial: int, *, company_prefix_digits: int = 7, filter_value: int = 1) -> str:
    """An SGTIN-96 tag's EPC for simulated pallets (decoding stays in lotscan.codes)."""
    partition, prefix_bits, item_bits = _SGTIN_PARTITIONS[company_prefix_digits]
    company = int(gtin14[1 : 1 + company_prefix_digits])
    item = int(gtin14[0] + gtin14[1 + company_prefix_digits : 13])
    value = 0x30
    for field_value, bits in (
        (filter_value, 3),
        (partition, 3),
        (company, prefix_bits),
        (item, item_bits),
        (serial, 38),
    ):
        value = (value << bits) | field_value
    return f"{value:024X}"


def pallet_epcs(gtins: Sequence[str], per_gtin: int, *, first_serial: int = 1) -> list[str]:
    return [sgtin96_hex(gtin, first_serial + n) for gtin in gtins for n in range(per_gtin)]
