"""The central lot service: FastAPI app factory.

Station endpoints take the station's bearer token (scoped to its site); admin endpoints take an
admin token. Business outcomes are 2xx; 409 = gap, 410 = reload a snapshot, 413 = too large,
422 = malformed, 503 = transient (retry with backoff).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import BackgroundTasks, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lotscan import __version__
from lotscan.central import changelog, overview, pull, push, reconcile, snapshot, status, tokens
from lotscan.central.db import open_central, read_tx, write_tx
from lotscan.central.errors import CentralError, ReloadRequired
from lotscan.central.tokens import StationIdentity
from lotscan.central.trace import api as trace_api
from lotscan.central.trace import audit as trace_audit
from lotscan.central.trace import hooks as trace_hooks
from lotscan.central.urgent import UrgentWatch
from lotscan.services.sync_protocol import (
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

DEFAULT_MAX_BODY = 8 * 1024 * 1024
bearer = HTTPBearer(auto_error=False, description="Station token (lst_...) or admin token (lat_...)")


class Settings(BaseModel):
    max_body_bytes: int = DEFAULT_MAX_BODY
    changelog_retention: timedelta = timedelta(days=30)
    wait_poll_s: float = 0.25
    prune_every_s: float = 3600.0
    seal_every_s: float = 60.0
    audit_inline: bool = True


def create_app(
    db_url: str | None = None,
    *,
    engine: Engine | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    changelog_retention: timedelta = timedelta(days=30),
    wait_poll_s: float = 0.25,
    migrate: bool = True,
    request_threads: int = 40,
    audit_inline: bool = True,
) -> FastAPI:
    if engine is None:
        if db_url is None:
            raise ValueError("give db_url or engine")
        engine = open_central(db_url, migrate=migrate)
    settings = Settings(
        max_body_bytes=max_body_bytes,
        changelog_retention=changelog_retention,
        wait_poll_s=wait_poll_s,
        audit_inline=audit_inline,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = request_threads
        tasks = [asyncio.create_task(_prune_forever(engine, settings))]
        if not settings.audit_inline:
            tasks.append(asyncio.create_task(_seal_forever(engine, settings)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()

    app = FastAPI(
        title="lotscan central lot service",
        version=__version__,
        description="Lot database and offline-first sync for lotscan stations. See docs/sync.md.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    _install_errors(app)
    _routes(app, engine, settings)
    app.include_router(trace_api.router)  # trace, genealogy, recall, exports, audit (lotscan.central.trace)
    app.add_middleware(RequestGuard, max_body_bytes=max_body_bytes)
    return app


SERVE_ENV = {
    "db": "LOTSCAN_CENTRAL_DB",
    "max_body_bytes": "LOTSCAN_CENTRAL_MAX_BODY",
    "retention_s": "LOTSCAN_CENTRAL_RETENTION_S",
    "threads": "LOTSCAN_CENTRAL_THREADS",
    "log_level": "LOTSCAN_CENTRAL_LOG_LEVEL",
    "audit": "LOTSCAN_CENTRAL_AUDIT",
}


def app_from_env() -> FastAPI:
    """The app as `lotscan central serve` configures it, for each uvicorn worker process."""
    import os
    import sys

    from lotscan.central.db import default_db_url
    from lotscan.central.logs import configure_logging

    env = os.environ
    configure_logging(env.get(SERVE_ENV["log_level"], "info"))
    # Request threads spend most of their time waiting on the database; a short GIL switch
    # interval lets a thread whose answer arrived run again without waiting out another's slice.
    sys.setswitchinterval(float(env.get("LOTSCAN_GIL_SWITCH_S", "0.001")))
    threads = int(env.get(SERVE_ENV["threads"], "16"))
    return create_app(
        engine=open_central(
            env.get(SERVE_ENV["db"]) or default_db_url(), migrate=False, pool_size=threads // 2 + 2
        ),
        max_body_bytes=int(env.get(SERVE_ENV["max_body_bytes"], str(DEFAULT_MAX_BODY))),
        changelog_retention=timedelta(seconds=float(env.get(SERVE_ENV["retention_s"], str(30 * 86400)))),
        request_threads=threads,
        audit_inline=env.get(SERVE_ENV["audit"], "deferred") != "deferred",
    )


async def _prune_forever(engine: Engine, settings: Settings) -> None:
    while True:
        try:
            removed = await run_in_threadpool(_prune_once, engine, settings.changelog_retention)
            if removed:
                log.info("change log pruned", extra={"removed": removed})
        except Exception:
            log.exception("change log pruning failed")
        await asyncio.sleep(settings.prune_every_s)


async def _seal_forever(engine: Engine, settings: Settings) -> None:
    """Deferred audit mode: chain whatever a crash between a push's commit and its chaining
    left unchained, at start-up and then every `seal_every_s`."""
    while True:
        try:
            sealed = await run_in_threadpool(_seal_once, engine)
            if sealed:
                log.warning("audit: chained events a push left unchained", extra={"sealed": sealed})
        except Exception:
            log.exception("audit sealing failed")
        await asyncio.sleep(settings.seal_every_s)


def _seal_once(engine: Engine) -> int:
    with write_tx(engine) as conn:
        return trace_audit.seal_unchained(conn)


def _prune_once(engine: Engine, keep: timedelta) -> int:
    with write_tx(engine) as conn:
        return changelog.prune(conn, keep)


# --------------------------------------------------------------------------- middleware / errors


class RequestGuard:
    """Refuses bodies over the limit (413) before they are read, and logs every request as JSON."""

    def __init__(self, app: ASGIApp, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            response = _error(413, "TOO_LARGE", self._too_large())
            await response(scope, receive, send)
            _log_request(scope, 413, started)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        async def logging_send(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        try:
            await self.app(scope, limited_receive, logging_send)
        except _BodyTooLarge:
            status_code = 413
            await _error(413, "TOO_LARGE", self._too_large())(scope, receive, send)
        _log_request(scope, status_code, started)

    def _too_large(self) -> str:
        return f"request body over {self.max_body_bytes} bytes; send smaller batches"


class _BodyTooLarge(Exception):
    pass


def _log_request(scope: Scope, status_code: int, started: float) -> None:
    state = scope.get("state") or {}
    log.info(
        "request",
        extra={
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "station": state.get("station"),
        },
    )


def _error(status_code: int, code: str, message: str, **extra: Any) -> JSONResponse:
    headers = {"Retry-After": "1"} if status_code == 503 else None
    return JSONResponse(
        {"error": code, "message": message, **extra}, status_code=status_code, headers=headers
    )


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(CentralError)
    async def central_error(_request: Request, exc: CentralError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg")}
            for e in exc.errors()[:20]
        ]
        first = problems[0] if problems else {"where": "", "problem": "invalid"}
        return _error(
            422,
            "INVALID_REQUEST",
            f"request is malformed at {first['where']}: {first['problem']}",
            problems=problems,
        )

    @app.exception_handler(OperationalError)
    async def transient(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("transient database error", extra={"error": str(exc.orig)[:300]})
        return _error(503, "UNAVAILABLE", "central's database is busy or unreachable; retry shortly")

    @app.exception_handler(DBAPIError)
    async def database(_request: Request, exc: DBAPIError) -> JSONResponse:
        log.error("database error", extra={"error": str(exc.orig)[:300]})
        return _error(503, "UNAVAILABLE", "central's database refused the request; retry shortly")


# --------------------------------------------------------------------------- routes


class StationAdd(BaseModel):
    site: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=64)


class StatusChange(BaseModel):
    action: str = Field(description="hold | release | recall | quarantine | reject")
    reason: str = Field(min_length=1, max_length=500)
    item: str | None = None


class Resolution(BaseModel):
    resolution: str = Field(min_length=1, max_length=1000)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def current_station(request: Request, credentials: Credentials) -> StationIdentity:
    if credentials is None:
        raise tokens.Unauthorized("missing bearer token: send 'Authorization: Bearer <station token>'")
    with request.app.state.engine.connect() as conn:
        station = tokens.station_for_token(conn, credentials.credentials)
    request.scope.setdefault("state", {})["station"] = station.name
    return station


def current_admin(request: Request, credentials: Credentials) -> str:
    if credentials is None:
        raise tokens.Unauthorized("missing bearer token: send 'Authorization: Bearer <admin token>'")
    with request.app.state.engine.connect() as conn:
        name = tokens.admin_for_token(conn, credentials.credentials)
    return str(name)


Station = Annotated[StationIdentity, Depends(current_station)]
Admin = Annotated[str, Depends(current_admin)]


class _Throttle:
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


def _routes(app: FastAPI, engine: Engine, settings: Settings) -> None:
    noted = _Throttle(5.0)
    urgent = UrgentWatch(engine, settings.wait_poll_s)

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, Any]:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            db = "ok"
        except Exception as exc:
            return JSONResponse({"status": "degraded", "db": str(exc)[:200]}, status_code=503)  # type: ignore[return-value]
        return {"status": "ok", "db": db, "version": __version__, "protocol": PROTOCOL_VERSION}

    @app.post("/api/v1/enroll", response_model=EnrollResponse, tags=["sync"])
    def enroll(body: EnrollRequest) -> EnrollResponse:
        """Exchange a one-time enrolment code for this station's token (then fetch a snapshot)."""
        with write_tx(engine) as conn:
            station, token = tokens.enroll(conn, body.code, body.station_id)
        log.info("station enrolled", extra={"station": station.name, "site": station.site})
        return EnrollResponse(
            token=token, station=station.name, site=station.site, server_time=changelog.utcnow()
        )

    @app.post("/api/v1/sync/push", response_model=PushResponse, tags=["sync"])
    def push_events(body: PushRequest, station: Station, background: BackgroundTasks) -> PushResponse:
        """Events in station-seq order; each is applied exactly once. 409 on a gap."""
        if settings.audit_inline:
            with write_tx(engine) as conn:
                return push.push(conn, station, body)
        later: list[push.Stored] = []
        with write_tx(engine) as conn:
            answer = push.push(conn, station, body, chain_later=later)
        background.add_task(_chain, engine, later)
        return answer

    @app.post("/api/v1/sync/pull", response_model=PullResponse, tags=["sync"])
    def pull_changes(
        body: PullRequest, station: Station, pending: Annotated[int | None, Query(ge=0)] = None
    ) -> PullResponse:
        """Changes after the cursor (one page), plus current rows for the keys asked. 410 = reload."""
        with read_tx(engine) as conn:
            answer = pull.pull(conn, station, body)
        if noted.due(station.name):  # at most every few seconds per station: it is for display only
            with write_tx(engine) as conn:
                pull.note_pull(conn, station, answer.next_cursor, pending)
        return answer

    @app.get("/api/v1/sync/snapshot", tags=["sync"])
    def get_snapshot(station: Station) -> StreamingResponse:
        """Everything of the station's site, NDJSON, from one consistent read."""
        return StreamingResponse(snapshot.stream(engine, station), media_type="application/x-ndjson")

    @app.get("/api/v1/sync/wait", response_model=WaitResponse, tags=["sync"])
    async def wait(
        station: Station,
        after: Annotated[int, Query(ge=0)],
        timeout: Annotated[float, Query(ge=0, le=60)] = 25.0,
    ) -> WaitResponse:
        """Long-poll: returns as soon as an urgent change (hold, recall, quarantine) is after `after`."""
        deadline = time.monotonic() + timeout
        while True:
            latest = await run_in_threadpool(urgent.latest, station.site)
            if latest > after or time.monotonic() >= deadline:
                return WaitResponse(changed=latest > after, latest=max(latest, after))
            await asyncio.sleep(settings.wait_poll_s)

    @app.get("/api/v1/flagged", tags=["sync"])
    def flagged_for_station(station: Station) -> list[dict[str, Any]]:
        """Open reconciliation items of the station's own site (for the station UI)."""
        with read_tx(engine) as conn:
            return reconcile.open_items(conn, station.site)

    # ----------------------------------------------------------------- admin

    @app.get("/api/v1/admin/stations", tags=["admin"])
    def list_stations(_admin: Admin) -> list[dict[str, Any]]:
        with read_tx(engine) as conn:
            return overview.stations_overview(conn)

    @app.post("/api/v1/admin/stations", tags=["admin"])
    def add_station(body: StationAdd, _admin: Admin) -> dict[str, str]:
        with write_tx(engine) as conn:
            name, code = tokens.add_station(conn, body.site, body.name)
        return {"station": name, "site": body.site, "enrolment_code": code}

    @app.post("/api/v1/admin/stations/{name}/revoke", tags=["admin"])
    def revoke_station(name: str, _admin: Admin) -> dict[str, str]:
        with write_tx(engine) as conn:
            tokens.revoke_station(conn, name)
        return {"station": name, "state": "revoked"}

    @app.post("/api/v1/admin/lots/{lot}/status", tags=["admin"])
    def set_status(lot: str, body: StatusChange, admin: Admin) -> list[dict[str, str]]:
        target = status.ACTIONS.get(body.action)
        if target is None:
            raise CentralError(f"unknown action {body.action!r}; use one of {', '.join(status.ACTIONS)}")
        with write_tx(engine) as conn:
            return status.change_status(conn, lot, target, body.reason, admin, body.item)

    @app.get("/api/v1/admin/flagged", tags=["admin"])
    def flagged(_admin: Admin, site: str | None = None, all: bool = False) -> list[dict[str, Any]]:
        with read_tx(engine) as conn:
            return reconcile.open_items(conn, site, include_resolved=all)

    @app.post("/api/v1/admin/flagged/{item_id}/resolve", tags=["admin"])
    def resolve(item_id: int, body: Resolution, admin: Admin) -> dict[str, Any]:
        with write_tx(engine) as conn:
            reconcile.resolve(conn, item_id, admin, body.resolution)
        return {"id": item_id, "resolved_by": admin}


def _chain(engine: Engine, stored: list[push.Stored]) -> None:
    """Chain events just committed into the audit log (deferred mode). If this fails, the events
    stay unchained until `lotscan central audit seal`; `audit verify` reports them meanwhile."""
    try:
        with write_tx(engine) as conn:
            for rows, server_seqs in stored:
                trace_hooks.events_stored(conn, rows, server_seqs)
    except Exception:
        log.exception("audit chaining after push failed; run `lotscan central audit seal`")


__all__ = ["ReloadRequired", "create_app"]
