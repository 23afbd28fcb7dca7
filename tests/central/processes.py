"""`lotscan central serve` as a real process on a free port, for tests that need real HTTP."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

LOTSCAN = [sys.executable, "-m", "lotscan"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One `lotscan central serve` process; `options` are more serve options."""

    def __init__(self, db_url: str, port: int, log: Path, *options: str):
        self.db_url, self.port, self.log, self.options = db_url, port, log, options
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*LOTSCAN, "central", "serve", "--db", self.db_url, "--port", str(self.port), *self.options],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        # A server that comes up after the deadline must not outlive the test that gave up on it.
        self.process.kill()
        self.process.wait(20)
        self.process = None
        raise AssertionError(f"central did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(20)
            self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
