"""The station <-> central sync protocol: the wire models both sides exchange over HTTP.

Shared by both sides (lotscan.central and lotscan.sync must not import each other). Rows travel
by natural keys (see lotscan.domain.events.keys); the store's row codec (lotscan.store.rows)
turns them into database rows and back.
"""

from lotscan.protocol.wire import (
    APPLIED,
    FAILED,
    FLAGGED,
    MAX_BATCH,
    MAX_KEYS,
    MAX_PAGE,
    OUTCOMES,
    PROTOCOL_VERSION,
    REJECTED,
    Change,
    EnrollRequest,
    EnrollResponse,
    EventIn,
    EventResult,
    KeyedRow,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    WaitResponse,
)

__all__ = [
    "APPLIED",
    "FAILED",
    "FLAGGED",
    "MAX_BATCH",
    "MAX_KEYS",
    "MAX_PAGE",
    "OUTCOMES",
    "PROTOCOL_VERSION",
    "REJECTED",
    "Change",
    "EnrollRequest",
    "EnrollResponse",
    "EventIn",
    "EventResult",
    "KeyedRow",
    "PullRequest",
    "PullResponse",
    "PushRequest",
    "PushResponse",
    "WaitResponse",
]
