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
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lotscan import __version__
from lotscan.central import changelog
from lotscan.central.chaining import Chainer
from lotscan.central.config import DEFAULT_AUDIT, DEFAULT_CHANGELOG_RETENTION, DEFAULT_THREADS
from lotscan.central.db import open_central, write_tx
from lotscan.central.deps import DEFAULT_MAX_BODY, Settings
from lotscan.central.errors import CentralError, ReloadRequired
from lotscan.central.routes import admin as admin_routes
from lotscan.central.routes import sync as sync_routes
from lotscan.central.routes.sync import Throttle
from lotscan.central.stopping import Stopping
from lotscan.central.trace import api as trace_api
from lotscan.central.trace import audit as trace_audit
from lotscan.central.urgent import UrgentWatch

log = logging.getLogger("lotscan.central")


def create_app(
    db_url: str | None = None,
    *,
    engine: Engine | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    changelog_retention: timedelta = DEFAULT_CHANGELOG_RETENTION,
    wait_poll_s: float = 0.25,
    migrate: bool = True,
    request_threads: int = DEFAULT_THREADS,
    audit_inline: bool = DEFAULT_AUDIT == "inline",
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
        app.state.stopping.watch()
        try:
            yield
        finally:
            app.state.stopping.unwatch()
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
    app.state.urgent = UrgentWatch(engine, settings.wait_poll_s)
    app.state.stopping = Stopping()  # long-polls end as soon as the process is told to stop
    app.state.chainer = Chainer(engine)  # deferred audit: pushes' events chained in groups
    app.state.pull_noted = Throttle(5.0)
    _install_errors(app)
    app.include_router(sync_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(trace_api.router)  # trace, genealogy, recall, exports, audit (lotscan.central.trace)
    app.add_middleware(RequestGuard, max_body_bytes=max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """The app as `lotscan central serve` configures it (through LOTSCAN_CENTRAL_* variables,
    see lotscan.central.config), for each uvicorn worker process."""
    import os
    import sys

    from lotscan.central.config import CentralSettings
    from lotscan.central.logs import configure_logging

    settings = CentralSettings()
    configure_logging(settings.log_level)
    # Request threads spend most of their time waiting on the database; a short GIL switch
    # interval lets a thread whose answer arrived run again without waiting out another's slice.
    sys.setswitchinterval(float(os.environ.get("LOTSCAN_GIL_SWITCH_S", "0.001")))
    return create_app(
        engine=open_central(settings.db, migrate=False, pool_size=settings.threads // 2 + 2),
        max_body_bytes=settings.max_body_bytes,
        changelog_retention=timedelta(days=settings.changelog_days),
        request_threads=settings.threads,
        audit_inline=settings.audit_inline,
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

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Routing answers (404 unknown path, 405 wrong method) in the same shape as every error.
        codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
        code = codes.get(exc.status_code, f"HTTP_{exc.status_code}")
        response = _error(exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

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

    @app.exception_handler(OverflowError)
    async def overflow(_request: Request, exc: OverflowError) -> JSONResponse:
        return _error(422, "INVALID_VALUE", f"a number in the request is out of range ({exc})")

    @app.exception_handler(DataError)
    async def bad_value(_request: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot hold (too long, too big) is bad input, not a fault: retrying won't help.
        log.info("value refused by the database", extra={"error": str(exc.orig)[:300]})
        return _error(422, "INVALID_VALUE", "a value in the request does not fit central's database")

    @app.exception_handler(IntegrityError)
    async def conflict(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("request conflicts with stored data", extra={"error": str(exc.orig)[:300]})
        return _error(409, "CONFLICT", "the request conflicts with data central already holds")

    @app.exception_handler(DBAPIError)
    async def database(_request: Request, exc: DBAPIError) -> JSONResponse:
        log.error("database error", extra={"error": str(exc.orig)[:300]})
        return _error(503, "UNAVAILABLE", "central's database refused the request; retry shortly")


__all__ = ["ReloadRequired", "create_app"]
