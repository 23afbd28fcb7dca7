"""HTTP client of the central lot service (station side), sorting failures into what to do next."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from lotscan.protocol import (
    EnrollRequest,
    EnrollResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    WaitResponse,
)

API = "/api/v1"


class SyncError(Exception):
    """Base of every sync failure; str() is a sentence for the operator or the log."""


class Transient(SyncError):
    """Network down, timeout, central busy (5xx/429): retry later with backoff."""


class Refused(SyncError):
    """Central answered and refused (bad token, wrong site, malformed request): needs a person."""

    def __init__(self, message: str, status: int, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class GapRefused(Refused):
    def __init__(self, message: str, expected_seq: int):
        super().__init__(message, 409, "SEQ_GAP")
        self.expected_seq = expected_seq


class ReloadNeeded(Refused):
    def __init__(self, message: str):
        super().__init__(message, 410, "RELOAD_REQUIRED")


class CentralClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        verify: bool | str | ssl.SSLContext = True,
    ):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if isinstance(verify, str):  # a CA bundle file
            verify = ssl.create_default_context(cafile=verify)
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, transport=transport, timeout=timeout, verify=verify
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, API + path, **kwargs)
        except httpx.TransportError as exc:
            raise Transient(
                f"central at {self.base_url} is unreachable ({type(exc).__name__}: {exc})"
            ) from exc
        _raise_for(response)
        return response

    def enroll(self, code: str, station_id: str) -> EnrollResponse:
        body = EnrollRequest(code=code, station_id=station_id).model_dump(mode="json")
        return EnrollResponse.model_validate(self._send("POST", "/enroll", json=body).json())

    def push(self, request: PushRequest) -> PushResponse:
        body = request.model_dump(mode="json")
        return PushResponse.model_validate(self._send("POST", "/sync/push", json=body).json())

    def pull(self, request: PullRequest, pending: int | None = None) -> PullResponse:
        params = {"pending": pending} if pending is not None else None
        body = request.model_dump(mode="json")
        return PullResponse.model_validate(self._send("POST", "/sync/pull", json=body, params=params).json())

    def wait(self, after: int, timeout: float = 25.0) -> WaitResponse:
        response = self._send(
            "GET", "/sync/wait", params={"after": after, "timeout": timeout}, timeout=timeout + 10
        )
        return WaitResponse.model_validate(response.json())

    def flagged(self) -> list[dict[str, Any]]:
        return list(self._send("GET", "/flagged").json())

    @contextmanager
    def snapshot(self) -> Iterator[Iterator[dict[str, Any]]]:
        """The site snapshot as parsed NDJSON lines, streamed (never all in memory)."""
        try:
            with self._http.stream("GET", API + "/sync/snapshot", timeout=None) as response:
                if response.status_code >= 400:
                    response.read()
                    _raise_for(response)
                yield (json.loads(line) for line in response.iter_lines() if line)
        except httpx.TransportError as exc:
            raise Transient(f"snapshot download from {self.base_url} broke off ({exc})") from exc


def _raise_for(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = str(body.get("message") or response.text[:200] or response.reason_phrase)
    code = body.get("error")
    if status in (408, 429) or status >= 500:
        raise Transient(f"central is busy ({status}): {message}")
    if status == 409 and code == "SEQ_GAP":
        raise GapRefused(message, int(body["expected_seq"]))
    if status == 410:
        raise ReloadNeeded(message)
    raise Refused(f"central refused ({status}): {message}", status, code)
