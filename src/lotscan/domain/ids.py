"""UUIDv7 event ids (RFC 9562): time-ordered, so ids sort like the events they name."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """A UUIDv7; within one millisecond a 12-bit counter keeps ids of one process ordered."""
    global _last_ms, _counter
    # One read of the system's randomness per id (it is a system call): the 62 random bits,
    # and the counter's random start when the millisecond is new.
    entropy = int.from_bytes(os.urandom(10), "big")
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            now_ms = _last_ms
        else:
            _last_ms = now_ms
            _counter = (entropy >> 64) & 0x3FF
        counter = _counter
    rand_b = entropy & ((1 << 62) - 1)
    value = (now_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)
