"""Wire models of the sync protocol (pydantic): push, pull, enrol and wait, with their limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

PROTOCOL_VERSION = 1
MAX_BATCH = 1000
MAX_KEYS = 5000
MAX_PAGE = 5000

# Outcomes of a pushed event (all delivered as 2xx answers).
APPLIED = "applied"
FLAGGED = "flagged"
REJECTED = "rejected"
FAILED = "failed"
OUTCOMES = (APPLIED, FLAGGED, REJECTED, FAILED)


class EventIn(BaseModel):
    id: str = Field(min_length=1, max_length=36)
    seq: int = Field(ge=1)
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


class PushRequest(BaseModel):
    station_time: datetime = Field(description="The station's clock when it sent the batch (UTC).")
    events: list[EventIn] = Field(max_length=MAX_BATCH)


class EventResult(BaseModel):
    id: str
    seq: int
    server_seq: int | None
    outcome: str
    reason: str | None = None
    duplicate: bool = False


class PushResponse(BaseModel):
    results: list[EventResult]
    last_seq: int = Field(description="Highest station seq central holds for this station.")
    server_time: datetime
    clock_skew_s: float


class PullRequest(BaseModel):
    after: int = Field(ge=0, description="Cursor: the last change seq already applied.")
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


class WaitResponse(BaseModel):
    changed: bool
    latest: int
