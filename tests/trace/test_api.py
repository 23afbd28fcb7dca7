"""Traceability over HTTP, mounted in central's app: stations read, admins recall and export."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from lotscan.central.app import create_app
from lotscan.central.db import write_tx
from lotscan.central.schema import received_events
from lotscan.central.tokens import add_admin_token, add_station, enroll
from tests.trace.conftest import Genealogy


@pytest.fixture
def client(genealogy: Genealogy) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    app = create_app(engine=genealogy.engine)
    with write_tx(genealogy.engine) as conn:
        admin = add_admin_token(conn, f"admin-{id(app)}")
        _, code = add_station(conn, "P1")
        _, station = enroll(conn, code)
    with TestClient(app) as http:
        yield http, {"Authorization": f"Bearer {station}"}, {"Authorization": f"Bearer {admin}"}


def test_station_reads_trace_and_genealogy(client, genealogy: Genealogy) -> None:
    http, station, _admin = client
    g = genealogy
    root = g.generated.raw_lots[0]
    answer = http.get(f"/api/v1/trace/{root[1]}", params={"direction": "forward"}, headers=station)
    assert answer.status_code == 200, answer.text
    assert {(x["item"], x["lot"]) for x in answer.json()["lots"]} == set(g.model.walk([root], True))
    child = next(iter(g.model.children[root]))[0]
    lookup = http.get(f"/api/v1/lots/{child[1]}/genealogy", headers=station).json()
    assert root in {(p["item"], p["lot"]) for p in lookup["parents"]}
    assert {(c["item"], c["lot"]) for c in lookup["children"]} == {
        c for c, _q in g.model.children.get(child, [])
    }
    assert http.get(f"/api/v1/trace/{root[1]}").status_code == 401
    assert http.get("/api/v1/trace/NO-SUCH", headers=station).status_code == 404


def test_admin_endpoints_need_an_admin(client, genealogy: Genealogy) -> None:
    http, station, admin = client
    root = genealogy.generated.raw_lots[0]
    body = {"lots": [root[1]], "reason": "check", "dry_run": True}
    assert http.post("/api/v1/admin/recall", json=body, headers=station).status_code in (401, 403)
    report = http.post("/api/v1/admin/recall", json=body, headers=admin)
    assert report.status_code == 200 and report.json()["summary"]["dry_run"] is True
    fsma = http.get("/api/v1/admin/export/fsma204", params={"tlc": root[1]}, headers=admin)
    assert fsma.status_code == 200 and fsma.text.startswith("Event Type,Traceability Lot Code,")
    doc = http.get("/api/v1/admin/export/epcis", params={"lot": root[1]}, headers=admin)
    assert doc.status_code == 200 and doc.json()["type"] == "EPCISDocument"
    verified = http.get("/api/v1/admin/audit/verify", headers=admin)
    assert verified.status_code == 200 and verified.json()["ok"] is True


def test_a_station_token_sees_genealogy_company_wide_but_only_its_own_sites_stock_and_partners(
    client, genealogy: Genealogy
) -> None:
    """The attack: a P2 station traces every lot and must learn nothing of P1's stock, locations,
    receipts, shipments, customers or pallets, nor the ids and times of P1's events on genealogy
    edges; lots and genealogy stay company-wide."""
    http, _p1_station, admin = client
    with write_tx(genealogy.engine) as conn:
        _, code = add_station(conn, "P2")
        _, p2_token = enroll(conn, code)
        event_site = dict(conn.execute(select(received_events.c.id, received_events.c.site)).all())
        built_at = {
            json.loads(payload)["sscc"]: site
            for payload, site in conn.execute(
                select(received_events.c.payload, received_events.c.site).where(
                    received_events.c.type == "pallet.built"
                )
            )
        }
    p2 = {"Authorization": f"Bearer {p2_token}"}
    admin_saw_p1: set[str] = set()
    for root in genealogy.generated.raw_lots:
        as_admin = http.get(f"/api/v1/trace/{root[1]}", params={"item": root[0]}, headers=admin).json()
        as_p2 = http.get(f"/api/v1/trace/{root[1]}", params={"item": root[0]}, headers=p2).json()
        assert as_p2["lots"] == as_admin["lots"]
        # Every edge, with its lots, kind and quantity; another site's event id and time withheld.
        withheld = [
            {**e, "event_id": None, "at": None} if event_site.get(e["event_id"], "P2") != "P2" else e
            for e in as_admin["edges"]
        ]
        assert as_p2["edges"] == withheld
        admin_saw_p1 |= {"edges" for e in as_admin["edges"] if event_site.get(e["event_id"]) == "P1"}
        for part in ("stock", "receipts", "shipments"):
            admin_saw_p1 |= {part for row in as_admin[part] if row["location"].endswith("-P1")}
            assert [row for row in as_p2[part] if not row["location"].endswith("-P2")] == [], part
            assert as_p2[part] == [row for row in as_admin[part] if row["location"].endswith("-P2")], part
        admin_saw_p1 |= {"pallets" for p in as_admin["pallets"] if built_at[p["sscc"]] == "P1"}
        assert as_p2["pallets"] == [p for p in as_admin["pallets"] if built_at[p["sscc"]] == "P2"]
        lookup = http.get(f"/api/v1/lots/{root[1]}/genealogy", params={"item": root[0]}, headers=p2)
        assert lookup.status_code == 200
    assert admin_saw_p1 == {"stock", "receipts", "shipments", "pallets", "edges"}, (
        "P1 must have site data to hide"
    )
