"""Where a finished label goes: a printer's raw TCP port (9100), a CUPS queue, or a file."""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lotscan.labels.errors import DeliveryError

RAW_PORT = 9100


@dataclass(frozen=True, slots=True)
class TcpPrinter:
    host: str
    port: int = RAW_PORT
    timeout_s: float = 5.0

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"printer {host}:{self.port}"


@dataclass(frozen=True, slots=True)
class CupsQueue:
    name: str
    raw: bool = True  # ZPL goes to the printer untouched; images go through CUPS filters

    def __str__(self) -> str:
        return f"CUPS queue {self.name}"


@dataclass(frozen=True, slots=True)
class FileOutput:
    path: Path

    def __str__(self) -> str:
        return str(self.path)


Destination = TcpPrinter | CupsQueue | FileOutput


def parse_printer(text: str, *, timeout_s: float = 5.0) -> TcpPrinter:
    """ "HOST", "HOST:PORT" or "[IPv6]:PORT"; the port defaults to 9100."""
    text = text.strip()
    host, port = text, str(RAW_PORT)
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or port
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DeliveryError(f"{text!r} is not a printer address: use HOST or HOST:PORT (e.g. 10.0.0.7:9100)")
    return TcpPrinter(host, int(port), timeout_s)


def parse_destination(text: str, *, timeout_s: float = 5.0) -> Destination:
    """One setting for where labels go: "tcp:HOST[:PORT]", "cups:QUEUE" or "file:PATH"."""
    kind, _, rest = text.strip().partition(":")
    if kind == "tcp" and rest:
        return parse_printer(rest, timeout_s=timeout_s)
    if kind == "cups" and rest:
        return CupsQueue(rest)
    if kind == "file" and rest:
        return FileOutput(Path(rest).expanduser())
    raise DeliveryError(f"{text!r} is not a label destination: use tcp:HOST[:PORT], cups:QUEUE or file:PATH")


def deliver(data: bytes, destination: Destination) -> str:
    """Send or write the label; returns where it went, in words. Raises DeliveryError."""
    if isinstance(destination, TcpPrinter):
        send_tcp(data, destination)
    elif isinstance(destination, CupsQueue):
        send_cups(data, destination)
    else:
        write_file(data, destination.path)
    return str(destination)


def send_tcp(data: bytes, printer: TcpPrinter) -> None:
    try:
        with socket.create_connection((printer.host, printer.port), timeout=printer.timeout_s) as conn:
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
    except TimeoutError as exc:
        raise DeliveryError(
            f"{printer} did not answer within {printer.timeout_s:g} s: check it is on and on the network"
        ) from exc
    except socket.gaierror as exc:
        raise DeliveryError(f"{printer}: unknown host name ({exc.strerror})") from exc
    except OSError as exc:
        raise DeliveryError(
            f"cannot send the label to {printer}: {exc.strerror or exc} (is it on, and is the port right?)"
        ) from exc


def send_cups(data: bytes, queue: CupsQueue) -> None:
    lp = shutil.which("lp")
    if lp is None:
        raise DeliveryError(
            "CUPS's `lp` command is not installed, so the label cannot go to queue "
            f"{queue.name}: install cups-client (apt-get install cups-client), or print with "
            "--printer HOST:PORT"
        )
    command = [lp, "-d", queue.name, "-t", "lotscan label"] + (["-o", "raw"] if queue.raw else [])
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=30, check=False)
    except subprocess.TimeoutExpired as exc:
        raise DeliveryError(f"`lp` did not finish within 30 s for queue {queue.name}") from exc
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise DeliveryError(f"CUPS refused the label for queue {queue.name}: {why}")


def write_file(data: bytes, path: Path) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise DeliveryError(f"cannot write the label to {path}: {exc.strerror or exc}") from exc
