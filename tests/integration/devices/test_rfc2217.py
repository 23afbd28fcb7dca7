"""A scanner behind an RFC 2217 (telnet COM port control) server, read over rfc2217://."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
import serial
import serial.rfc2217

from lotscan.devices.manager import DeviceManager
from lotscan.devices.messages import State
from lotscan.devices.profiles import load_profile
from lotscan.devices.simulate import PtyPort, ScannerSimulator

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pyserial uses setDaemon


class _SocketWriter:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self.lock:
            self.sock.sendall(data)


class PtyLine(serial.Serial):
    """A pty has no modem lines; report a cable with CTS, DSR and CD up."""

    cts = dsr = cd = True
    ri = False

    def _update_dtr_state(self) -> None:
        pass

    def _update_rts_state(self) -> None:
        pass


class Rfc2217Server:
    """One-client RFC 2217 server in front of a local serial port (here a pty)."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            client, _ = self.listener.accept()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            line = PtyLine(self.device, timeout=0.05)
            manager = serial.rfc2217.PortManager(line, _SocketWriter(client))
            writer = _SocketWriter(client)

            def line_to_network() -> None:
                with contextlib.suppress(OSError, TypeError):  # TypeError: line closed under us
                    while not self.stopped.is_set():
                        data = line.read(line.in_waiting or 1)
                        if data:
                            writer.write(b"".join(manager.escape(data)))

            threading.Thread(target=line_to_network, daemon=True).start()
            while not self.stopped.is_set():
                data = client.recv(1024)
                if not data:
                    break
                line.write(b"".join(manager.filter(data)))
            self.stopped.set()
            client.close()
            line.close()

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


def test_scanner_over_rfc2217(collector):
    with PtyPort() as pty:
        server = Rfc2217Server(pty.address)
        manager = DeviceManager(
            [{"id": "remote", "profile": "honeywell-serial", "port": f"rfc2217://127.0.0.1:{server.port}"}],
            collector,
        )
        manager.start()
        try:
            assert collector.wait_state(State.CONNECTED, timeout=10), collector.messages
            ScannerSimulator(pty, load_profile("honeywell-serial")).send(
                "0109506000134352\x1d21X1", aim_id="]C1"
            )
            (scan,) = collector.wait_scans(1, timeout=5)
        finally:
            manager.stop()
            server.close()
    assert scan.raw.data == b"0109506000134352\x1d21X1" and scan.raw.aim_id == "]C1"
