"""Administrator routes: stations (add, list, revoke), lot status decisions, reconciliation items.
Recall, exports and audit verification are on the trace router (`lotscan.central.trace.api`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from lotscan.central import overview, reconcile, status, tokens
from lotscan.central.db import read_tx, write_tx
from lotscan.central.deps import DB, Admin
from lotscan.central.routes.bodies import ERROR_RESPONSES, JsonRoute
from lotscan.protocol.wire import MAX_SEQ

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], route_class=JsonRoute, responses=ERROR_RESPONSES)

# The actions an admin may take on a lot (lotscan.central.status.ACTIONS): an unknown one is a 422
# that lists these, like every other malformed field.
StatusAction = Literal["hold", "release", "recall", "quarantine", "reject"]


class StationAdd(BaseModel):
    site: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=64)


class StatusChange(BaseModel):
    action: StatusAction
    reason: str = Field(min_length=1, max_length=500)
    item: str | None = None


class Resolution(BaseModel):
    resolution: str = Field(min_length=1, max_length=1000)


@router.get("/stations")
def list_stations(_admin: Admin, engine: DB) -> list[dict[str, Any]]:
    with read_tx(engine) as conn:
        return overview.stations_overview(conn)


@router.post("/stations")
def add_station(body: StationAdd, _admin: Admin, engine: DB) -> dict[str, str]:
    with write_tx(engine) as conn:
        name, code = tokens.add_station(conn, body.site, body.name)
    return {"station": name, "site": body.site, "enrolment_code": code}


@router.post("/stations/{name}/revoke")
def revoke_station(name: str, _admin: Admin, engine: DB) -> dict[str, str]:
    with write_tx(engine) as conn:
        tokens.revoke_station(conn, name)
    return {"station": name, "state": "revoked"}


@router.post("/lots/{lot:path}/status")  # a GS1 lot code may hold "/" (tester W19)
def set_status(lot: str, body: StatusChange, admin: Admin, engine: DB) -> list[dict[str, str]]:
    with write_tx(engine) as conn:
        return status.change_status(conn, lot, status.ACTIONS[body.action], body.reason, admin, body.item)


@router.get("/flagged")
def flagged(_admin: Admin, engine: DB, site: str | None = None, all: bool = False) -> list[dict[str, Any]]:
    with read_tx(engine) as conn:
        return reconcile.open_items(conn, site, include_resolved=all)


@router.post("/flagged/{item_id}/resolve")
def resolve(
    item_id: Annotated[int, Path(ge=1, le=MAX_SEQ)], body: Resolution, admin: Admin, engine: DB
) -> dict[str, Any]:
    with write_tx(engine) as conn:
        reconcile.resolve(conn, item_id, admin, body.resolution)
    return {"id": item_id, "resolved_by": admin}
