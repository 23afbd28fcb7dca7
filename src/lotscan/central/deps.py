"""FastAPI dependencies shared by every central router: the database engine, the app's settings,
and who is calling (a station, an admin, or either). Written once; routers only declare them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Engine

from lotscan.central import tokens
from lotscan.central.config import DEFAULT_AUDIT, DEFAULT_CHANGELOG_RETENTION, DEFAULT_MAX_BODY_BYTES
from lotscan.central.tokens import StationIdentity

bearer = HTTPBearer(auto_error=False, description="Station token (lst_...) or admin token (lat_...)")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

ADMIN_TOKEN_PREFIX = "lat_"
DEFAULT_MAX_BODY = DEFAULT_MAX_BODY_BYTES


class Settings(BaseModel):
    """How one central app instance runs (set by `create_app`, read by the routers)."""

    max_body_bytes: int = DEFAULT_MAX_BODY
    changelog_retention: timedelta = DEFAULT_CHANGELOG_RETENTION
    wait_poll_s: float = 0.25
    prune_every_s: float = 3600.0
    seal_every_s: float = 60.0
    audit_inline: bool = DEFAULT_AUDIT == "inline"


@dataclass(frozen=True)
class Caller:
    """A reader of trace data: an admin (sees every site) or a station (scoped to its site)."""

    name: str
    station: StationIdentity | None = None

    @property
    def site(self) -> str | None:
        """The only site whose site data this caller may see; None = every site (admin)."""
        return self.station.site if self.station else None

    def __str__(self) -> str:
        return f"station {self.name}" if self.station else f"admin {self.name}"


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _token(credentials: HTTPAuthorizationCredentials | None, kind: str) -> str:
    if credentials is None:
        raise tokens.Unauthorized(f"missing bearer token: send 'Authorization: Bearer <{kind} token>'")
    return credentials.credentials


def current_station(request: Request, credentials: Credentials) -> StationIdentity:
    token = _token(credentials, "station")
    with get_engine(request).connect() as conn:
        station = tokens.station_for_token(conn, token)
    return noted(request, station)


def station_token(request: Request, credentials: Credentials) -> str:
    """A station endpoint's bearer token, not looked up yet: push and pull check it in the first
    statement of their own transaction (`tokens.lock_station`, `pull.pull_for_token`), which
    saves every request a connection and two round trips. Call `noted` with the station found."""
    return _token(credentials, "station")


def noted(request: Request, station: StationIdentity) -> StationIdentity:
    """Name the station in the request's log line."""
    request.scope.setdefault("state", {})["station"] = station.name
    return station


def current_admin(request: Request, credentials: Credentials) -> str:
    token = _token(credentials, "admin")
    with get_engine(request).connect() as conn:
        return str(tokens.admin_for_token(conn, token))


def current_caller(request: Request, credentials: Credentials) -> Caller:
    """Any enrolled station or admin; the answer says which, so reads can be scoped to a site."""
    token = _token(credentials, "station or admin")
    if token.startswith(ADMIN_TOKEN_PREFIX):
        return Caller(current_admin(request, credentials))
    station = current_station(request, credentials)
    return Caller(station.name, station)


DB = Annotated[Engine, Depends(get_engine)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Station = Annotated[StationIdentity, Depends(current_station)]
StationToken = Annotated[str, Depends(station_token)]
Admin = Annotated[str, Depends(current_admin)]
Reader = Annotated[Caller, Depends(current_caller)]
