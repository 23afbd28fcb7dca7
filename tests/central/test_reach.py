"""Hold and recall reach: central knows which stations have pulled past an urgent change, shows
N of M with who not (offline since when), and a recall is done only when every station in
service has it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lotscan.central.db import read_tx, write_tx
from lotscan.central.reach import lot_reach, recall_reach, set_out_of_service
from lotscan.central.trace.recall import recall
from lotscan.cli.central_cmd import central as central_group
from tests.central.support import auth


def _pull_all(central, token) -> None:
    cursor = 0
    while True:
        page = central.http.post(
            "/api/v1/sync/pull", json={"after": cursor, "limit": 1000, "keys": []}, headers=auth(token)
        ).json()
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return


def test_hold_reach_counts_stations_that_pulled_past_it(central) -> None:
    first, first_token = central.enroll("P1")
    second, _second_token = central.enroll("P1")
    held = central.http.post(
        "/api/v1/admin/lots/F-EARLY/status",
        json={"action": "hold", "reason": "check"},
        headers=central.admin(),
    )
    assert held.status_code == 200, held.text
    with read_tx(central.engine) as conn:
        (before,) = lot_reach(conn, "F-EARLY")
    assert before["status"] == "hold" and (before["acknowledged"], before["stations"]) == (0, 2)
    _pull_all(central, first_token)
    answer = central.http.get("/api/v1/admin/lots/F-EARLY/reach", headers=central.admin())
    assert answer.status_code == 200, answer.text
    (after,) = answer.json()
    assert (after["acknowledged"], after["stations"], after["done"]) == (1, 2, False)
    assert [s["station"] for s in after["not_acknowledged"]] == [second]
    with write_tx(central.engine) as conn:
        set_out_of_service(conn, second)
    cli = CliRunner().invoke(central_group, ["lot", "status", "F-EARLY", "--db", central.url, "--json"])
    assert cli.exit_code == 0, cli.output
    (shown,) = json.loads(cli.stdout)
    assert (shown["acknowledged"], shown["stations"], shown["done"]) == (1, 1, True)
    assert shown["out_of_service"] == [second] and first not in shown["out_of_service"]


def test_a_recall_is_done_when_every_station_in_service_has_it(central) -> None:
    _first, first_token = central.enroll("P1")
    second, second_token = central.enroll("P1")
    with write_tx(central.engine) as conn:
        report = recall(conn, ["F-EARLY"], "supplier notice", "sue", dry_run=False)
    with read_tx(central.engine) as conn:
        state = recall_reach(conn, report.recall_id)
    assert not state["done"] and state["acknowledged"] == 0 and state["stations"] == 2
    _pull_all(central, first_token)
    with read_tx(central.engine) as conn:
        state = recall_reach(conn, report.recall_id)
    assert not state["done"] and [s["station"] for s in state["not_acknowledged"]] == [second]
    _pull_all(central, second_token)
    listed = central.http.get("/api/v1/admin/recalls", headers=central.admin()).json()
    assert listed[0]["recall_id"] == report.recall_id and listed[0]["done"] is True
    text = CliRunner().invoke(central_group, ["lot", "status", "F-EARLY", "--db", central.url])
    assert "acknowledged by 2 of 2 station(s): done" in text.output
