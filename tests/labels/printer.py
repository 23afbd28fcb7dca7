"""A raw-port label printer for tests: a real TCP server on a free port that keeps what it gets."""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class RawPortPrinter:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(10)
        self.port: int = self._server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._thread = threading.Thread(target=self._serve_one, daemon=True)

    def __enter__(self) -> RawPortPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._thread.join(timeout=10)
        self._server.close()

    def _serve_one(self) -> None:
        conn, _ = self._server.accept()
        with conn:
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        self.jobs.append(b"".join(chunks))

    def wait(self) -> list[bytes]:
        self._thread.join(timeout=10)
        return self.jobs
