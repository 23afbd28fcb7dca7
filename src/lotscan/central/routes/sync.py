"""Station-facing routes: health, enrolment, push, pull, snapshot, urgent long-poll, flagged items."""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from lotscan import __version__
from lotscan.central import changelog, pull, push, reconcile, snapshot, tokens
from lotscan.central.chaining import Chainer
from lotscan.central.db import Tail, read_tx, write_tx
from lotscan.central.deps import DB, AppSettings, Station, StationToken, noted
from lotscan.central.routes.bodies import ERROR_RESPONSES, ErrorBody, JsonRoute
from lotscan.central.stopping import Stopping
from lotscan.central.urgent import UrgentWatch
from lotscan.protocol import (
    PROTOCOL_VERSION,
    EnrollRequest,
    EnrollResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    WaitResponse,
)

log = logging.getLogger("lotscan.central")

router = APIRouter(route_class=JsonRoute, responses=ERROR_RESPONSES)

# A cursor central's change log cannot serve: older than what it keeps, or ahead of its newest
# change (central restored from a backup or re-created). Not retried: the station reloads.
RELOAD: dict[int | str, dict[str, Any]] = {
    410: {
        "model": ErrorBody,
        "description": "RELOAD_REQUIRED: the cursor does not fit central's log; reload the snapshot",
    }
}


class Throttle:
    """Says yes at most once per `every_s` per key (thread-safe enough: a rare extra yes is harmless)."""

    def __init__(self, every_s: float):
        self.every_s = every_s
        self.last: dict[str, float] = {}

    def due(self, key: str) -> bool:
        now = time.monotonic()
        if now - self.last.get(key, -1e9) < self.every_s:
            return False
        self.last[key] = now
        return True


@router.get("/health", tags=["ops"])
def health(engine: DB) -> dict[str, Any]:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return JSONResponse({"status": "degraded", "db": str(exc)[:200]}, status_code=503)  # type: ignore[return-value]
    return {"status": "ok", "db": "ok", "version": __version__, "protocol": PROTOCOL_VERSION}


@router.post("/api/v1/enroll", response_model=EnrollResponse, tags=["sync"])
def enroll(body: EnrollRequest, engine: DB) -> EnrollResponse:
    """Exchange a one-time enrolment code for this station's token (then fetch a snapshot)."""
    with write_tx(engine) as conn:
        station, token = tokens.enroll(conn, body.code, body.station_id)
    log.info("station enrolled", extra={"station": station.name, "site": station.site})
    return EnrollResponse(
        token=token,
        station=station.name,
        site=station.site,
        lot_part=station.lot_part,
        server_time=changelog.utcnow(),
    )


@router.post("/api/v1/sync/push", response_model=PushResponse, tags=["sync"])
def push_events(
    body: PushRequest,
    token: StationToken,
    request: Request,
    background: BackgroundTasks,
    engine: DB,
    settings: AppSettings,
) -> PushResponse:
    """Events in station-seq order; each is applied exactly once. 409 on a gap."""
    later: list[push.Stored] | None = None if settings.audit_inline else []
    tail = Tail()
    with write_tx(engine) as conn:
        # The token is checked by the statement that locks the station's row for the push.
        station, answer = push.push_for_token(conn, token, body, chain_later=later, tail=tail)
        # The change log's append (and the audit chain's, inline) with the COMMIT, in one round
        # trip: the locks every push waits for are held only for the database's own time.
        tail.commit(conn)
    noted(request, station)
    if later is not None:
        chainer: Chainer = request.app.state.chainer
        background.add_task(chainer.chain, later)
    return answer


@router.post("/api/v1/sync/pull", response_model=PullResponse, tags=["sync"], responses=RELOAD)
def pull_changes(
    body: PullRequest,
    token: StationToken,
    request: Request,
    engine: DB,
    pending: Annotated[int | None, Query(ge=0)] = None,
) -> PullResponse | Response:
    """Changes after the cursor (one page), plus current rows for the keys asked. 410
    RELOAD_REQUIRED: the cursor is older than the log central keeps, or ahead of its newest
    change (central restored or re-created): reload the snapshot."""
    with engine.connect() as conn:
        page = pull.pull_for_token(conn, token, body)  # PostgreSQL, no rows asked: one statement
    if page is not None:
        station, next_cursor, urgent = noted(request, page.station), page.next_cursor, page.urgent
        answer: PullResponse | Response = Response(page.body, media_type="application/json")
    else:
        with read_tx(engine) as conn:
            station = noted(request, tokens.station_for_token(conn, token))
            answer = pull.pull(conn, station, body)
        next_cursor, urgent = answer.next_cursor, any(c.urgent for c in answer.changes)
    throttle: Throttle = request.app.state.pull_noted
    # At most every few seconds per station (display), but always when urgent changes went out:
    # hold and recall reach counts a station once it has pulled past them (lotscan.central.reach).
    if throttle.due(station.name) or urgent:
        with write_tx(engine) as conn:
            pull.note_pull(conn, station, next_cursor, pending)
    return answer


@router.get("/api/v1/sync/snapshot", tags=["sync"])
def get_snapshot(station: Station, engine: DB) -> StreamingResponse:
    """Everything of the station's site, NDJSON, from one consistent read."""
    return StreamingResponse(snapshot.stream(engine, station), media_type="application/x-ndjson")


@router.get("/api/v1/sync/wait", response_model=WaitResponse, tags=["sync"], responses=RELOAD)
async def wait(
    station: Station,
    request: Request,
    settings: AppSettings,
    after: Annotated[int, Query(ge=0)],
    timeout: Annotated[float, Query(ge=0, le=60)] = 25.0,
) -> WaitResponse:
    """Long-poll: returns as soon as an urgent change (hold, recall, quarantine) is after `after`.
    A cursor beyond central's newest change is refused (410 RELOAD_REQUIRED, as by the pull):
    no pull of this central handed it out. Central told to stop (SIGTERM, Ctrl-C) answers every
    wait at once with what it knows, as a timeout would: the station asks again (lotscan.central.stopping)."""
    pull.refuse_cursor_ahead(after, await run_in_threadpool(_newest_change, request.app.state.engine))
    urgent: UrgentWatch = request.app.state.urgent
    stopping: Stopping = request.app.state.stopping
    deadline = time.monotonic() + timeout
    while True:
        latest = await run_in_threadpool(urgent.latest, station.site)
        if latest > after or time.monotonic() >= deadline or stopping.is_set():
            return WaitResponse(changed=latest > after, latest=max(latest, after))
        await stopping.wait(min(settings.wait_poll_s, max(0.0, deadline - time.monotonic())))


@router.get("/api/v1/flagged", tags=["sync"])
def flagged_for_station(station: Station, engine: DB) -> list[dict[str, Any]]:
    """Open reconciliation items of the station's own site (for the station UI)."""
    with read_tx(engine) as conn:
        return reconcile.open_items(conn, station.site)


def _newest_change(engine: Engine) -> int:
    with read_tx(engine) as conn:
        return changelog.latest_seq(conn)
