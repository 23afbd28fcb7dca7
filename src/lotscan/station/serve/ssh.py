"""`lotscan station --ssh`: the station for RF guns running terminal emulation (VT100/VT220,
xterm) over SSH, one session per connection.

The door is public-key authentication: each handheld has its own key, listed in the authorized
keys file with the device's name as the key's comment (shown in `lotscan station sessions`).
Inside, the operator still signs in with their badge. The client's terminal type and size
decide what it is sent (`serve.terminal`); a size change re-lays the screen.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import asyncssh

from lotscan.station.serve.driver import TerminalLink
from lotscan.station.serve.hub import StationHub
from lotscan.station.serve.session import Session, SessionStarter, in_process
from lotscan.station.serve.terminal import TerminalKind

log = logging.getLogger(__name__)
KEEPALIVE_S = 5  # a handheld gone from the Wi-Fi is noticed within three of these
MIN_COLS, MIN_ROWS = 20, 10


class SshKeyError(ValueError):
    """An authorized keys file or host key that cannot be used; the message says what to do."""


def load_device_keys(path: Path) -> dict[bytes, str]:
    """Each allowed handheld's public key, and its name (the key's comment)."""
    if not path.is_file():
        raise SshKeyError(
            f"no authorized keys file at {path}: give --authorized-keys F, one public key per "
            "handheld, its comment naming the device (e.g. 'ssh-ed25519 AAAA... gun-07')"
        )
    try:
        keys = asyncssh.read_public_key_list(str(path))
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise SshKeyError(f"{path}: not an authorized keys file ({exc})") from exc
    if not keys:
        raise SshKeyError(f"{path} lists no keys: add one public key per handheld")
    return {key.public_data: key.get_comment() or key.get_fingerprint() for key in keys}


def load_host_key(path: Path) -> asyncssh.SSHKey:
    """The station's host key, created (ed25519) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519", comment="lotscan station")
        key.write_private_key(str(path))
        path.chmod(0o600)
        log.warning("created the SSH host key %s", path)
    try:
        return asyncssh.read_private_key(str(path))
    except (asyncssh.KeyImportError, ValueError, OSError) as exc:
        raise SshKeyError(f"{path}: not a usable SSH host key ({exc})") from exc


class _DeviceDoor(asyncssh.SSHServer):
    """Public keys only; remembers which handheld's key opened the connection."""

    def __init__(self, keys: dict[bytes, str], hub: StationHub, starter: SessionStarter) -> None:
        self.keys = keys
        self.hub = hub
        self.starter = starter
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        device = self.keys.get(key.public_data)
        if device is None:
            return False
        if self.conn is not None:
            self.conn.set_extra_info(lotscan_device=device)
        return True

    def session_requested(self) -> _StationChannel:
        return _StationChannel(self.hub, self.starter)


class _StationChannel(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One SSH session channel: a station session on its terminal."""

    def __init__(self, hub: StationHub, starter: SessionStarter) -> None:
        self.hub = hub
        self.starter = starter
        self.chan: Any = None
        self.term = "vt100"
        self.size = (80, 24)
        self.served: Session | None = None
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, chan: Any) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any) -> bool:
        self.term = term_type or "vt100"
        self.size = _fit(term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False  # a terminal session only

    def session_started(self) -> None:
        kind = TerminalKind.from_term(self.term)
        peer = self.chan.get_extra_info("peername") or ("?", 0)
        device = self.chan.get_extra_info("lotscan_device") or ""
        link = TerminalLink(kind, self._write, self.size, self._end)
        info = self.hub.open_session(
            "ssh", str(peer[0]), terminal=kind.name, size=f"{self.size[0]}x{self.size[1]}", device=device
        )
        self.served = self.starter(info, link)
        self.task = asyncio.get_running_loop().create_task(self.served.run(), name=f"station-{info.id}")

    def _write(self, data: str) -> None:
        if self.chan is not None and not self.chan.is_closing():
            self.chan.write(data)

    def _end(self) -> None:
        if self.chan is not None and not self.chan.is_closing():
            self.chan.exit(0)

    def data_received(self, data: str, datatype: Any) -> None:
        if self.served is not None:
            self.served.link.feed(data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.size = _fit(width, height)
        if self.served is not None:
            self.served.link.resize(*self.size)
            self.served.info.size = f"{self.size[0]}x{self.size[1]}"

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self.served is not None and self.task is not None and not self.task.done():
            self.served.lost()
        self.chan = None


def _fit(width: int, height: int) -> tuple[int, int]:
    return max(MIN_COLS, width or 80), max(MIN_ROWS, height or 24)


async def start_ssh(
    hub: StationHub,
    host: str,
    port: int,
    host_key: Path,
    authorized_keys: Path,
    starter: SessionStarter | None = None,
) -> asyncssh.SSHAcceptor:
    keys = load_device_keys(authorized_keys)
    key = load_host_key(host_key)
    start = starter or in_process(hub)
    return await asyncssh.create_server(
        lambda: _DeviceDoor(keys, hub, start),
        host,
        port,
        server_host_keys=[key],
        encoding="utf-8",
        line_editor=False,
        keepalive_interval=KEEPALIVE_S,
        keepalive_count_max=3,
    )
