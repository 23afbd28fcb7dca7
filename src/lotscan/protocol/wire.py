"""Wire models of the sync protocol (pydantic): push, pull, enrol and wait, with their limits."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

PROTOCOL_VERSION = 1
MAX_BATCH = 1000
MAX_KEYS = 5000
MAX_PAGE = 5000
MAX_SEQ = 2**63 - 1  # a BIGINT column

# Outcomes of a pushed event (all delivered as 2xx answers).
APPLIED = "applied"
FLAGGED = "flagged"
REJECTED = "rejected"
FAILED = "failed"
OUTCOMES = (APPLIED, FLAGGED, REJECTED, FAILED)

EARLIEST_CLOCK = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_CLOCK = datetime(2100, 1, 1, tzinfo=UTC)


def _finite_json(value: Any, where: str) -> None:
    """JSON has no NaN or Infinity; Python's parser lets them (and 1e999) through: refuse them."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} is {value}: a quantity must be a finite number")
    if isinstance(value, dict):
        for key, inner in value.items():
            _finite_json(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _finite_json(inner, f"{where}[{index}]")


def _clock(value: datetime) -> datetime:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        ok = EARLIEST_CLOCK <= moment < LATEST_CLOCK
    except OverflowError:
        ok = False
    if not ok:
        raise ValueError(f"must be between {EARLIEST_CLOCK:%Y-%m-%d} and {LATEST_CLOCK:%Y-%m-%d}")
    return value


StationClock = Annotated[datetime, AfterValidator(_clock)]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _event_id(value: str) -> str:
    """An event id is a UUID in its 36-character form, compared in lower case: an upper-case
    variant of an id central holds is that id (it is refused as reused, not stored twice)."""
    canonical = value.lower()
    if not _UUID.fullmatch(canonical):
        raise ValueError(
            f"{value[:40]!r} is not a UUID (36 characters, 8-4-4-4-12 hex digits, as a station writes it)"
        )
    return canonical


class EventIn(BaseModel):
    """One pushed event. Only its envelope is checked here (a bad envelope fails the whole request
    with 422); the payload is checked per event by central, which refuses a bad one as `rejected`."""

    model_config = ConfigDict(allow_inf_nan=False)

    id: Annotated[str, AfterValidator(_event_id)] = Field(max_length=64)
    seq: int = Field(ge=1, le=MAX_SEQ)
    operator: str | None = Field(default=None, max_length=64)
    occurred_at: datetime
    type: str = Field(min_length=1, max_length=32)
    workflow: str | None = Field(default=None, max_length=16)
    task_code: str | None = Field(default=None, max_length=64)
    lot_code: str | None = Field(default=None, max_length=64)
    raw: str | None = Field(default=None, max_length=4096)
    payload: dict[str, Any]
    verdict: str = Field(default="ACCEPTED", max_length=10)
    reasons: list[Any] = Field(default_factory=list)
    unsendable: str | None = Field(
        default=None,
        max_length=500,
        description="Set by a station whose event central refused as malformed (4xx): central records "
        "the seq as set aside, with this sentence, and the station keeps the event as failed.",
    )

    @field_validator("payload", "reasons")
    @classmethod
    def _no_nan(cls, value: Any) -> Any:
        _finite_json(value, "value")
        return value


class PushRequest(BaseModel):
    station_time: StationClock = Field(description="The station's clock when it sent the batch (UTC).")
    events: list[EventIn] = Field(max_length=MAX_BATCH)


class EventResult(BaseModel):
    id: str
    seq: int
    server_seq: int | None
    outcome: str
    reason: str | None = Field(default=None, description="CODE: sentence (why it was flagged or refused)")
    code: str | None = Field(
        default=None,
        description="The stable reason code of a rejected event, or of a flagged one's first reason",
    )
    duplicate: bool = False


class PushResponse(BaseModel):
    results: list[EventResult]
    last_seq: int = Field(description="Highest station seq central holds for this station.")
    server_time: datetime
    clock_skew_s: float


class PullRequest(BaseModel):
    after: int = Field(ge=0, le=MAX_SEQ, description="Cursor: the last change seq already applied.")
    limit: int = Field(default=1000, ge=1, le=MAX_PAGE)
    keys: list[list[str]] = Field(
        default_factory=list,
        max_length=MAX_KEYS,
        description="Rows the station wants in their current server state (read-your-writes).",
    )


class Change(BaseModel):
    seq: int
    key: list[str]
    data: dict[str, Any] | None
    urgent: bool = False


class KeyedRow(BaseModel):
    key: list[str]
    data: dict[str, Any] | None


class PullResponse(BaseModel):
    changes: list[Change]
    rows: list[KeyedRow]
    next_cursor: int
    has_more: bool
    station_last_seq: int
    server_time: datetime


class EnrollRequest(BaseModel):
    code: str = Field(min_length=4, max_length=100)
    station_id: str = Field(default="", max_length=64, description="The station's own name (informative).")


class EnrollResponse(BaseModel):
    token: str
    station: str
    site: str
    server_time: datetime
    lot_part: str = Field(
        default="",
        max_length=16,
        description="The station's short, unique part of its lot numbers ({station} in lot patterns).",
    )


class WaitResponse(BaseModel):
    changed: bool
    latest: int
