"""Helpers for the central and sync suites: a fresh central database (SQLite file, or a private
PostgreSQL schema dropped afterwards), an in-process central, and stations enrolled into it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from lotscan.central.app import create_app
from lotscan.central.db import scratch_schema, write_tx
from lotscan.central.importing import import_into_central
from lotscan.central.tokens import add_admin_token, add_station
from lotscan.domain.policy import Policy
from lotscan.services.importer import read_source
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.store.db import open_cache
from lotscan.store.schema import Item, Location, Lot, Site, Stock, Task, TaskLine
from lotscan.sync import local
from lotscan.sync.client import CentralClient
from lotscan.sync.engine import Syncer
from tests.plant import write_plant

# LOTSCAN_TEST_PG points the PostgreSQL tests at any database (each test gets its own schema there)
PG_URL = os.environ.get("LOTSCAN_TEST_PG") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def migrated_only_to(db_url: str, revision: str) -> Iterator[Engine]:
    """An engine on a central database migrated only up to `revision` (to store what an older
    central stored, then `upgrade` it); disposed afterwards."""
    from alembic import command

    from lotscan.central.db import _alembic_config, make_engine

    engine = make_engine(db_url)
    try:
        config = _alembic_config()
        with engine.connect() as conn, conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'central-{uuid.uuid4().hex[:8]}.db'}"
        return
    with scratch_schema(PG_URL, prefix="lotscan_test") as url:
        yield url


class Central:
    """An in-process central over real HTTP semantics (TestClient transport), on a real database."""

    def __init__(self, url: str, **app_options: Any):
        self.url = url
        self.app_options = app_options
        self.app: FastAPI = create_app(url, **app_options)
        self.engine: Engine = self.app.state.engine
        self.http = TestClient(self.app)
        with write_tx(self.engine) as conn:
            self.admin_token = add_admin_token(conn, f"admin-{uuid.uuid4().hex[:6]}")

    @property
    def transport(self) -> httpx.BaseTransport:
        return self.http._transport  # the ASGI transport behind TestClient

    def restart(self) -> None:
        """A server restart: a new app and new connections on the same database."""
        self.http.close()
        self.engine.dispose()
        self.app = create_app(self.url, **self.app_options)
        self.engine = self.app.state.engine
        self.http = TestClient(self.app)

    def close(self) -> None:
        self.http.close()
        self.engine.dispose()

    def import_plant(self, directory: Path) -> None:
        with write_tx(self.engine) as conn:
            import_into_central(conn, read_source(write_plant(directory)))

    def import_rows(self, directory: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
        import json

        path = directory / f"extra-{uuid.uuid4().hex[:6]}.json"
        path.write_text(json.dumps(tables), encoding="utf-8")
        with write_tx(self.engine) as conn:
            import_into_central(conn, read_source(path))

    def add_station(self, site: str = "P1", name: str | None = None) -> str:
        with write_tx(self.engine) as conn:
            return add_station(conn, site, name)[1]

    def enroll(self, site: str = "P1") -> tuple[str, str]:
        answer = self.http.post("/api/v1/enroll", json={"code": self.add_station(site)}).json()
        return answer["station"], answer["token"]

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def event(
    seq: int, type_: str = "stock.consumed", *, id_: str | None = None, **payload: Any
) -> dict[str, Any]:
    defaults = {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}
    if type_ == "stock.consumed":
        payload = {**defaults, **payload}
    return {
        "id": id_ or str(uuid.uuid4()),
        "seq": seq,
        "operator": "100",
        "occurred_at": payload.pop("occurred_at", None) or now_iso(),
        "type": type_,
        "payload": payload,
    }


def push(
    central: Central, token: str, *events: dict[str, Any], station_time: str | None = None
) -> httpx.Response:
    body = {"station_time": station_time or now_iso(), "events": list(events)}
    return central.http.post("/api/v1/sync/push", json=body, headers=auth(token))


class Station:
    """A station cache enrolled into `central`, scanning through the real StationService."""

    def __init__(self, central: Central, directory: Path, name: str, site: str = "P1"):
        self.central = central
        self.path = directory / f"{name}.db"
        self.engine = open_cache(self.path)
        self.settings = StationSettings(
            station_id=name, site=site, database=self.path, policy=Policy(duplicate_window_s=0)
        )
        code = central.add_station(site, name)
        with CentralClient("http://central", transport=central.transport) as client:
            answer = client.enroll(code, name)
        self.token = answer.token
        with self.engine.begin() as conn:
            local.set_state(conn, local.SERVER_URL, "http://central")
            local.set_state(conn, local.TOKEN, self.token)
            local.set_state(conn, local.LOT_PART, answer.lot_part)  # as `lotscan enroll` stores it
        self.service = StationService(self.engine, self.settings)
        self.reload()

    def client(self, transport: httpx.BaseTransport | None = None) -> CentralClient:
        return CentralClient("http://central", self.token, transport=transport or self.central.transport)

    def syncer(self, transport: httpx.BaseTransport | None = None, **kw: Any) -> Syncer:
        return Syncer(self.engine, self.client(transport), **kw)

    def sync(self, transport: httpx.BaseTransport | None = None) -> Any:
        return self.syncer(transport).sync_once()

    def reload(self) -> None:
        self.syncer().reload()

    def scan(self, data: str, workflow: Any, **ctx: Any) -> Any:
        from lotscan.services.context import ScanContext

        ctx.setdefault("operator", "100")
        return self.service.handle(self.service.interpret(data), ScanContext(workflow, **ctx))

    def pending(self) -> int:
        with self.engine.connect() as conn:
            return local.pending_count(conn)


def state_of(engine: Engine, site: str = "P1") -> dict[str, Any]:
    """Lots, stock and task progress of a site by natural keys: comparable across databases."""
    with engine.connect() as conn:
        lots = {
            (r[0], r[1]): r[2]
            for r in conn.execute(select(Item.code, Lot.code, Lot.status).join(Item, Item.id == Lot.item_id))
        }
        stock = {
            (r[0], r[1], r[2]): round(float(r[3]), 6)
            for r in conn.execute(
                select(Item.code, Lot.code, Location.code, Stock.qty)
                .join(Lot, Lot.id == Stock.lot_id)
                .join(Item, Item.id == Lot.item_id)
                .join(Location, Location.id == Stock.location_id)
                .join(Site, Site.id == Location.site_id)
                .where(Site.code == site)
            )
        }
        lines = {
            (r[0], r[1]): tuple(round(float(qty), 6) for qty in r[2:])
            for r in conn.execute(
                select(
                    Task.code, TaskLine.line_no, TaskLine.qty_done, TaskLine.qty_expected, TaskLine.qty_short
                ).join(Task, Task.id == TaskLine.task_id)
            )
        }
    return {"lots": lots, "stock": stock, "task_lines": lines}


def record_a_release_central_refuses(central: Central, station: Station) -> Any:
    """The station holds F-LATE, central quarantines it meanwhile (the station has not heard of
    it), the station's supervisor releases it: recorded, and refused by central at the push
    (RELEASE_NOT_ALLOWED: central's quarantine lies under the station's hold). The verdict."""
    from lotscan.services.context import Workflow
    from tests.plant import FLOUR

    label = f"(01){FLOUR}(10)F-LATE"
    assert station.scan(label, Workflow.HOLD, operator="900", reason="smell").recorded
    quarantined = central.http.post(
        "/api/v1/admin/lots/F-LATE/status",
        json={"action": "quarantine", "reason": "lab", "item": "FLOUR"},
        headers=central.admin(),
    )
    assert quarantined.status_code == 200
    return station.scan(label, Workflow.RELEASE, operator="900", reason="looks fine")
