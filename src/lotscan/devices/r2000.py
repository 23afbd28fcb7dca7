"""The "R2000" UHF reader serial protocol: frames, checksum, commands and tag reports.

Frame: ``A0 len addr cmd data... check``; ``len`` counts the bytes after itself (addr, cmd,
data, check); ``check`` is the two's complement of the sum of every byte before it. Written
from the protocol's public description.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD = 0xA0
BROADCAST = 0xFF
CMD_RESET = 0x70
CMD_GET_FIRMWARE_VERSION = 0x72
CMD_SET_WORK_ANTENNA = 0x74
CMD_GET_WORK_ANTENNA = 0x75
CMD_SET_OUTPUT_POWER = 0x76
CMD_GET_OUTPUT_POWER = 0x77
CMD_REAL_TIME_INVENTORY = 0x89
SUCCESS = 0x10
RSSI_OFFSET_DBM = 129  # reported RSSI byte minus this is roughly dBm (98 -> -31 dBm)
_MAX_LEN = 3 + 1 + 2 + 62 + 1 + 8  # addr cmd check + ant + PC + longest EPC + RSSI + slack


def checksum(data: bytes | bytearray) -> int:
    return (-sum(data)) & 0xFF


def build_frame(cmd: int, data: bytes = b"", address: int = BROADCAST) -> bytes:
    body = bytes((HEAD, len(data) + 3, address, cmd)) + data
    return body + bytes((checksum(body),))


def inventory_command(address: int = BROADCAST, repeat: int = 1) -> bytes:
    return build_frame(CMD_REAL_TIME_INVENTORY, bytes((repeat,)), address)


def set_antenna_command(antenna: int, address: int = BROADCAST) -> bytes:
    """``antenna`` is 1-based as printed on the reader; the wire uses 0-based."""
    return build_frame(CMD_SET_WORK_ANTENNA, bytes((antenna - 1,)), address)


def set_power_command(power_dbm: int, address: int = BROADCAST) -> bytes:
    if not 0 <= power_dbm <= 33:
        raise ValueError(f"R2000 output power must be 0..33 dBm, not {power_dbm}")
    return build_frame(CMD_SET_OUTPUT_POWER, bytes((power_dbm,)), address)


@dataclass(frozen=True, slots=True)
class Frame:
    address: int
    cmd: int
    data: bytes


@dataclass(frozen=True, slots=True)
class TagReport:
    epc: bytes
    pc: int
    rssi_dbm: int
    antenna: int  # 1-based
    frequency: int  # channel index

    @property
    def epc_hex(self) -> str:
        return self.epc.hex().upper()


@dataclass(frozen=True, slots=True)
class RoundEnd:
    antenna: int
    read_rate: int
    total_reads: int


@dataclass(frozen=True, slots=True)
class CommandResult:
    cmd: int
    code: int

    @property
    def ok(self) -> bool:
        return self.code == SUCCESS


def tag_report_frame(
    epc: bytes, *, rssi_dbm: int = -50, antenna: int = 1, frequency: int = 0, address: int = 1
) -> bytes:
    pc = (len(epc) // 2) << 11
    data = (
        bytes(((frequency << 2) | ((antenna - 1) & 0x03),))
        + pc.to_bytes(2, "big")
        + epc
        + bytes(((rssi_dbm + RSSI_OFFSET_DBM) & 0x7F,))
    )
    return build_frame(CMD_REAL_TIME_INVENTORY, data, address)


def round_end_frame(antenna: int = 1, read_rate: int = 0, total: int = 0, address: int = 1) -> bytes:
    data = bytes((antenna - 1,)) + read_rate.to_bytes(2, "big") + total.to_bytes(4, "big")
    return build_frame(CMD_REAL_TIME_INVENTORY, data, address)


def result_frame(cmd: int, code: int = SUCCESS, address: int = 1) -> bytes:
    return build_frame(cmd, bytes((code,)), address)


def interpret_frame(frame: Frame) -> TagReport | RoundEnd | CommandResult | None:
    data = frame.data
    if frame.cmd == CMD_REAL_TIME_INVENTORY:
        if len(data) == 1:
            return CommandResult(frame.cmd, data[0])
        if len(data) == 7:
            return RoundEnd(
                antenna=(data[0] & 0x03) + 1,
                read_rate=int.from_bytes(data[1:3], "big"),
                total_reads=int.from_bytes(data[3:7], "big"),
            )
        if len(data) >= 5:
            return TagReport(
                epc=bytes(data[3:-1]),
                pc=int.from_bytes(data[1:3], "big"),
                rssi_dbm=(data[-1] & 0x7F) - RSSI_OFFSET_DBM,
                antenna=(data[0] & 0x03) + 1,
                frequency=data[0] >> 2,
            )
        return None
    if len(data) == 1:
        return CommandResult(frame.cmd, data[0])
    return None


class FrameParser:
    """Byte stream in, valid frames out. Bytes outside a frame are counted as garbage; a frame
    whose checksum fails is counted once and skipped, and parsing resumes right after its head."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.frames = 0
        self.garbage_bytes = 0
        self.checksum_errors = 0
        self._suspect = 0  # bytes still inside a frame that failed its checksum

    def feed(self, data: bytes) -> list[Frame]:
        buffer = self._buffer
        buffer += data
        frames: list[Frame] = []
        start = 0
        size = len(buffer)
        while True:
            head = buffer.find(HEAD, start)
            if head < 0:
                self._skip(size - start)
                start = size
                break
            if head > start:
                self._skip(head - start)
                start = head
            if size - start < 2:
                break
            length = buffer[start + 1]
            if length < 3 or length > _MAX_LEN:
                self._skip(1)
                start += 1
                continue
            end = start + 2 + length
            if end > size:
                break
            if (sum(buffer[start : end - 1]) + buffer[end - 1]) & 0xFF:
                if self._suspect <= 0:
                    self.checksum_errors += 1
                    self._suspect = end - start
                self._skip(1)
                start += 1
                continue
            self._suspect = 0
            frames.append(Frame(buffer[start + 2], buffer[start + 3], bytes(buffer[start + 4 : end - 1])))
            start = end
        del buffer[:start]
        self.frames += len(frames)
        return frames

    def _skip(self, count: int) -> None:
        inside = min(count, max(self._suspect, 0))
        self._suspect -= inside
        self.garbage_bytes += count - inside

    def reset(self) -> None:
        self._buffer.clear()
        self._suspect = 0
