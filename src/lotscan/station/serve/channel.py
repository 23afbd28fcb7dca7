"""The local channel between a serving station and its session processes: messages (tuples) as
length-prefixed pickles over a socket pair the station made. Both ends are this program on this
machine, never a handheld, so pickle is safe here and cheaper than any text encoding."""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
from typing import Any

_LENGTH = struct.Struct("!I")


class Channel:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, sock: socket.socket) -> Channel:
        reader, writer = await asyncio.open_connection(sock=sock, limit=1 << 24)
        return cls(reader, writer)

    def send(self, *message: Any) -> None:
        """Queue one message; never blocks (the event loop's transport buffers it)."""
        if self.writer.is_closing():
            return
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(_LENGTH.pack(len(data)) + data)

    async def receive(self) -> tuple[Any, ...] | None:
        """The next message, or None once the other end is gone."""
        try:
            header = await self.reader.readexactly(_LENGTH.size)
            data = await self.reader.readexactly(_LENGTH.unpack(header)[0])
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        message = pickle.loads(data)
        return tuple(message)

    async def drain(self) -> None:
        if not self.writer.is_closing():
            await self.writer.drain()

    def close(self) -> None:
        self.writer.close()
