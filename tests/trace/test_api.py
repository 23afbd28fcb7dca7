"""Traceability over HTTP, mounted in central's app: stations read, admins recall and export."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lotscan.central.app import create_app
from lotscan.central.db import write_tx
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
    assert fsma.status_code == 200 and fsma.text.startswith("Critical tracking event,")
    doc = http.get("/api/v1/admin/export/epcis", params={"lot": root[1]}, headers=admin)
    assert doc.status_code == 200 and doc.json()["type"] == "EPCISDocument"
    verified = http.get("/api/v1/admin/audit/verify", headers=admin)
    assert verified.status_code == 200 and verified.json()["ok"] is True
