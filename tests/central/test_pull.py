"""Pull: pages after a cursor, site scoping, rows by key, reload when the log was pruned, snapshots,
and urgent changes through the long-poll."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

from sqlalchemy import update

from lotscan.central import changelog
from lotscan.central.db import write_tx
from lotscan.central.schema import changes
from tests.central.support import auth, event, push


def pull(central, token, after, limit=1000, keys=()):
    return central.http.post(
        "/api/v1/sync/pull",
        json={"after": after, "limit": limit, "keys": [list(k) for k in keys]},
        headers=auth(token),
    )


def test_pages_follow_the_cursor_and_end_with_has_more_false(central) -> None:
    _, token = central.enroll()
    seen, cursor = [], 0
    while True:
        page = pull(central, token, cursor, limit=7).json()
        seen += [c["seq"] for c in page["changes"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) > 20
    push(central, token, event(1, qty=3))
    page = pull(central, token, cursor).json()
    stock = [c for c in page["changes"] if c["key"] == ["stock", "FLOUR", "F-EARLY", "A1"]]
    assert stock[-1]["data"]["qty"] == 47
    assert page["station_last_seq"] == 1


def test_a_station_sees_only_its_own_sites_rows(central, tmp_path) -> None:
    central.import_rows(
        tmp_path,
        {
            "sites": [{"code": "P2"}],
            "locations": [{"code": "B1", "site": "P2"}],
            "stock": [{"item": "FLOUR", "lot": "F-LATE", "location": "B1", "qty": 5}],
        },
    )
    _, p1 = central.enroll("P1")
    _, p2 = central.enroll("P2")
    keys_p1 = {tuple(c["key"]) for c in pull(central, p1, 0).json()["changes"]}
    keys_p2 = {tuple(c["key"]) for c in pull(central, p2, 0).json()["changes"]}
    assert ("location", "B1") in keys_p2 and ("location", "B1") not in keys_p1
    assert ("stock", "FLOUR", "F-LATE", "B1") not in keys_p1
    assert ("location", "A1") not in keys_p2
    asked = pull(central, p1, 0, keys=[("stock", "FLOUR", "F-LATE", "B1"), ("lot", "FLOUR", "F-LATE")]).json()
    assert [r["key"][0] for r in asked["rows"]] == ["lot"]  # the other site's stock row is withheld
    snapshot = central.http.get("/api/v1/sync/snapshot", headers=auth(p1)).text.splitlines()
    locations = [json.loads(line) for line in snapshot if '"table":"locations"' in line]
    codes = {row[2] for part in locations for row in part["rows"]}
    assert "B1" not in codes and "A1" in codes


def test_rows_by_key_return_current_state_or_null(central) -> None:
    _, token = central.enroll()
    head = pull(central, token, 0, limit=5000).json()["next_cursor"]
    answer = pull(
        central, token, head, keys=[("stock", "FLOUR", "F-EARLY", "A1"), ("lot", "FLOUR", "NOPE")]
    ).json()
    assert answer["changes"] == [] and not answer["has_more"]
    assert [r["data"] and r["data"]["qty"] for r in answer["rows"]] == [50.0, None]
    assert pull(central, token, 0, keys=[("bogus", "x")]).status_code == 422


def test_a_cursor_older_than_the_kept_log_is_told_to_reload(central) -> None:
    _, token = central.enroll()
    with write_tx(central.engine) as conn:
        conn.execute(update(changes).values(created_at=changelog.utcnow() - timedelta(days=40)))
        assert changelog.prune(conn, timedelta(days=30)) > 0
    answer = pull(central, token, 0)
    assert answer.status_code == 410 and answer.json()["error"] == "RELOAD_REQUIRED"
    header = json.loads(central.http.get("/api/v1/sync/snapshot", headers=auth(token)).text.splitlines()[0])
    assert pull(central, token, header["cursor"]).status_code == 200


def test_snapshot_is_consistent_with_its_cursor(central) -> None:
    _, token = central.enroll()
    push(central, token, event(1, qty=5))
    lines = [
        json.loads(x)
        for x in central.http.get("/api/v1/sync/snapshot", headers=auth(token)).text.splitlines()
    ]
    header, end = lines[0], lines[-1]
    assert header["kind"] == "header" and end["kind"] == "end"
    assert header["station_last_seq"] == 1
    assert pull(central, token, header["cursor"]).json()["changes"] == []
    stock_rows = [row for part in lines[1:-1] if part["table"] == "stock" for row in part["rows"]]
    assert 45.0 in [row[3] for row in stock_rows]


def test_urgent_status_change_wakes_a_long_poll_within_seconds(central) -> None:
    _, token = central.enroll()
    cursor = pull(central, token, 0, limit=5000).json()["next_cursor"]
    quiet = central.http.get(f"/api/v1/sync/wait?after={cursor}&timeout=0.3", headers=auth(token)).json()
    assert quiet == {"changed": False, "latest": cursor}

    def hold_soon() -> None:
        time.sleep(0.5)
        central.http.post(
            "/api/v1/admin/lots/F-EARLY/status",
            json={"action": "recall", "reason": "supplier"},
            headers=central.admin(),
        )

    started = time.monotonic()
    threading.Thread(target=hold_soon).start()
    woke = central.http.get(f"/api/v1/sync/wait?after={cursor}&timeout=10", headers=auth(token)).json()
    assert woke["changed"] and time.monotonic() - started < 5
    page = pull(central, token, cursor).json()["changes"]
    assert [(c["key"], c["data"]["status"], c["urgent"]) for c in page] == [
        (["lot", "FLOUR", "F-EARLY"], "recalled", True)
    ]
