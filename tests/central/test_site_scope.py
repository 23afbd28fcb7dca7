"""Tester's T17: a PLANT2 station token's snapshot and pull carried PLANT1's customer (party with
address and phone) and PLANT1's work-order code in genealogy link rows. Issue 9 §4: "stock,
locations, shipments and customers only of the station's site". Two sites, real databases,
central over HTTP (the app's transport); each read as the other site's station token would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.central.processes import Server, free_port
from tests.central.support import Central, auth, event, now_iso, push

CUSTOMERS = [
    {"code": "SHOP", "kind": "customer", "name": "Shop", "street": "1 High St", "phone": "+1 555 0100"},
    {"code": "CORNER", "kind": "customer", "name": "Corner Store", "phone": "+1 555 0200"},
    {"code": "MILL", "kind": "supplier", "name": "Mill", "phone": "+1 555 0300"},
]


def _two_sites(central: Central, directory: Path) -> tuple[str, str]:
    """P1 (the plant: its pick list and shipment name "Shop"), P2 with its own shipment to
    CORNER; a P1 station produced C-NEW on work order WO-1 from F-EARLY (a genealogy link)."""
    central.import_rows(
        directory,
        {
            "parties": CUSTOMERS,
            "sites": [{"code": "P2"}],
            "locations": [{"code": "B-OUT", "site": "P2"}],
            "tasks": [{"code": "SHP-2", "kind": "shipment", "partner": "CORNER", "location": "B-OUT"}],
        },
    )
    _, p1 = central.enroll("P1")
    _, p2 = central.enroll("P2")
    produced: dict[str, Any] = {
        "task": "WO-1",
        "item": "COOKIE",
        "lot": "C-NEW",
        "qty": 10,
        "location": "LINE",
        "inputs": [{"item": "FLOUR", "lot": "F-EARLY", "qty": 5}],
    }
    answer = push(central, p1, event(1, "lot.produced", **produced))
    assert answer.status_code == 200 and answer.json()["results"][0]["outcome"] != "rejected", answer.text
    return p1, p2


def _snapshot(central: Central, token: str) -> dict[str, list[dict[str, Any]]]:
    lines = [
        json.loads(x)
        for x in central.http.get("/api/v1/sync/snapshot", headers=auth(token)).text.splitlines()
    ]
    columns = lines[0]["tables"]
    tables: dict[str, list[dict[str, Any]]] = {}
    for part in lines[1:-1]:
        tables.setdefault(part["table"], []).extend(
            dict(zip(columns[part["table"]], row, strict=True)) for row in part["rows"]
        )
    return tables


def _pulled(central: Central, token: str, keys: list[list[str]] | None = None) -> dict[str, Any]:
    """Every change the token pulls from 0, the newest per key, and the rows asked by key."""
    newest: dict[str, Any] = {}
    cursor, rows = 0, []
    while True:
        body = {"after": cursor, "limit": 500, "keys": keys or []}
        page = central.http.post("/api/v1/sync/pull", json=body, headers=auth(token)).json()
        newest.update((json.dumps(c["key"], separators=(",", ":")), c["data"]) for c in page["changes"])
        rows += page["rows"]
        keys, cursor = None, page["next_cursor"]
        if not page["has_more"]:
            break
    return {"changes": newest, "rows": rows}


def test_a_site_snapshot_carries_only_its_customers_and_blanks_other_sites_task_codes(
    central: Central, tmp_path: Path
) -> None:
    _, p2 = _two_sites(central, tmp_path)
    mine = _snapshot(central, p2)
    parties = {p["code"] for p in mine["parties"]}
    assert "SHOP" not in parties  # P1's customer, address and phone
    assert {"CORNER", "MILL"} <= parties  # P2's own customer; suppliers stay company-wide
    links = mine["lot_links"]
    assert links and all(link["task_code"] != "WO-1" for link in links), links
    # P1's own station still reads its customer and its work order in the link.
    p1_view = central.enroll("P1")[1]
    theirs = _snapshot(central, p1_view)
    assert "SHOP" in {p["code"] for p in theirs["parties"]} and "CORNER" not in {
        p["code"] for p in theirs["parties"]
    }
    assert "WO-1" in {link["task_code"] for link in theirs["lot_links"]}


def test_a_site_pull_carries_only_its_customers_and_blanks_other_sites_task_codes(
    central: Central, tmp_path: Path
) -> None:
    p1, p2 = _two_sites(central, tmp_path)
    asked = [["party", "SHOP"], ["party", "CORNER"]]
    mine = _pulled(central, p2, asked)
    assert '["party","SHOP"]' not in mine["changes"] and '["party","CORNER"]' in mine["changes"]
    assert '["party","MILL"]' in mine["changes"]
    assert [r["key"] for r in mine["rows"]] == [["party", "CORNER"]]  # asked by key: SHOP withheld
    links = [data for key, data in mine["changes"].items() if key.startswith('["links"')]
    assert links and all(link["task_code"] is None for data in links for link in data["links"]), links
    theirs = _pulled(
        central, p1, [[*json.loads(next(k for k in mine["changes"] if k.startswith('["links"')))]]
    )
    assert '["party","SHOP"]' in theirs["changes"] and '["party","CORNER"]' not in theirs["changes"]
    p1_links = [data for key, data in theirs["changes"].items() if key.startswith('["links"')]
    assert {link["task_code"] for data in p1_links for link in data["links"]} == {"WO-1"}
    assert {link["task_code"] for link in theirs["rows"][0]["data"]["links"]} == {"WO-1"}


def test_a_customer_a_later_task_names_reaches_that_sites_stations(central: Central, tmp_path: Path) -> None:
    _, p2 = _two_sites(central, tmp_path)
    assert '["party","SHOP"]' not in _pulled(central, p2)["changes"]
    central.import_rows(
        tmp_path, {"tasks": [{"code": "SHP-3", "kind": "shipment", "partner": "Shop", "location": "B-OUT"}]}
    )
    assert _pulled(central, p2)["changes"]['["party","SHOP"]']["phone"] == "+1 555 0100"
    assert "SHOP" in {p["code"] for p in _snapshot(central, p2)["parties"]}


def test_a_site_trace_and_genealogy_blank_other_sites_task_codes(central: Central, tmp_path: Path) -> None:
    """Tester U10: the trace API and a lot's genealogy showed a PLANT2 station token PLANT1's
    work order (task 'WO-1') on the production link, which its pull sends blanked."""
    p1, p2 = _two_sites(central, tmp_path)

    def tasks_seen(headers: dict[str, str]) -> dict[str, set[str | None]]:
        seen = {}
        for path in ("/api/v1/trace/F-EARLY", "/api/v1/trace/C-NEW", "/api/v1/lots/F-EARLY/genealogy"):
            answer = central.http.get(path, headers=headers)
            assert answer.status_code == 200, answer.text
            edges = answer.json()["edges"]
            assert [(e["parent_lot"], e["child_lot"]) for e in edges] == [("F-EARLY", "C-NEW")], edges
            seen[path] = {e["task"] for e in edges}
        return seen

    assert set(map(frozenset, tasks_seen(auth(p2)).values())) == {frozenset({None})}
    assert set(map(frozenset, tasks_seen(auth(p1)).values())) == {frozenset({"WO-1"})}
    assert set(map(frozenset, tasks_seen(central.admin()).values())) == {frozenset({"WO-1"})}


def test_a_site_trace_withholds_other_sites_event_ids_and_times_on_edges_over_real_http(
    central: Central, tmp_path: Path
) -> None:
    """Issue 9 Build 4, the edges (after U10's stock and task codes): a PLANT2 station token
    tracing a lot whose genealogy was made at PLANT1 read PLANT1's event ids and times on every
    edge. The attack over real HTTP to `lotscan central serve`: P2's token still reads the whole
    genealogy (lots, kind, quantity) but no P1 event id or time; its own site's edge keeps them;
    P1's token and an admin's read everything."""
    p1, p2 = _two_sites(central, tmp_path)  # P1 produced C-NEW from F-EARLY on WO-1
    central.import_rows(tmp_path, {"locations": [{"code": "B-IN", "site": "P2"}]})
    server = Server(central.url, free_port(), tmp_path / "central.log")
    server.start()
    try:
        split_at_p1 = event(2, "lot.split", item="FLOUR", lot="F-EARLY", location="A1",
                            outputs=[{"lot": "F-EARLY-A", "qty": 4}])  # fmt: skip
        received_at_p2 = event(1, "stock.received", item="FLOUR", lot="F-P2", qty=8, location="B-IN")
        split_at_p2 = event(2, "lot.split", item="FLOUR", lot="F-P2", location="B-IN",
                            outputs=[{"lot": "F-P2-A", "qty": 3}])  # fmt: skip
        for token, events in ((p1, [split_at_p1]), (p2, [received_at_p2, split_at_p2])):
            answer = httpx.post(
                f"{server.url}/api/v1/sync/push",
                json={"station_time": now_iso(), "events": events},
                headers=auth(token),
            )
            assert answer.status_code == 200, answer.text
            assert all(r["outcome"] == "applied" for r in answer.json()["results"]), answer.text

        def edges(headers: dict[str, str], path: str) -> dict[tuple[str, str], dict[str, Any]]:
            answer = httpx.get(f"{server.url}{path}", headers=headers)
            assert answer.status_code == 200, answer.text
            return {(e["parent_lot"], e["child_lot"]): e for e in answer.json()["edges"]}

        p1_made = {("F-EARLY", "C-NEW"): "production", ("F-EARLY", "F-EARLY-A"): "split"}
        for path in ("/api/v1/trace/F-EARLY", "/api/v1/lots/F-EARLY/genealogy"):
            seen = edges(auth(p2), path)
            assert {pair: e["kind"] for pair, e in seen.items()} == p1_made, seen
            assert seen[("F-EARLY", "F-EARLY-A")]["qty"] == 4 and seen[("F-EARLY", "C-NEW")]["qty"] == 5
            assert all(e["event_id"] is None and e["at"] is None and e["task"] is None for e in seen.values())
            for headers in (auth(p1), central.admin()):
                full = edges(headers, path)
                assert full[("F-EARLY", "F-EARLY-A")]["event_id"] == split_at_p1["id"], full
                assert full[("F-EARLY", "F-EARLY-A")]["at"] is not None
                assert full[("F-EARLY", "C-NEW")]["task"] == "WO-1" and full[("F-EARLY", "C-NEW")]["at"]
        own = edges(auth(p2), "/api/v1/trace/F-P2")[("F-P2", "F-P2-A")]
        assert own["event_id"] == split_at_p2["id"] and own["at"] is not None, own
        hidden = edges(auth(p1), "/api/v1/trace/F-P2")[("F-P2", "F-P2-A")]
        assert hidden["event_id"] is None and hidden["at"] is None and hidden["qty"] == 3, hidden
    finally:
        server.stop()
