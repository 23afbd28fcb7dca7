"""Bad requests get an answer that names what is wrong and what to do, with a 4xx that fits
(tester #11, issue 9: "Bad input: a message naming what is wrong and what to do ... 4xx for the API").

Each test is the careless integrator's or attacker's request over HTTP to central's app, on SQLite and
PostgreSQL. Before: a NUL in a lot code or reason was a 422 naming nothing (PostgreSQL refused the NUL
in a text column) or was stored as is (SQLite); 10,000 nested arrays were a 400 "error parsing the
body"; a `text/plain` body was told "Input should be a valid dictionary"; the long-poll echoed back a
cursor beyond the newest change as `latest`; an unknown admin action was a 400.
"""

from __future__ import annotations

import json
from typing import get_args

import pytest
from sqlalchemy import select

from lotscan.central import status
from lotscan.central.routes.admin import StatusAction
from lotscan.central.schema import received_events
from tests.central.support import Central, auth, event, now_iso

NUL = "\u0000"


def _station(central: Central) -> str:
    return central.enroll("P1")[1]


def _refusal(response, status_code: int = 422) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status_code, response.text
    body = response.json()
    assert {"error", "message"} <= set(body), body
    return str(body["message"])


@pytest.mark.parametrize(
    ("field", "where"),
    [("lot", "body.events.0.payload.lot"), ("location", "body.events.0.payload.location")],
)
def test_a_nul_in_a_pushed_lot_code_is_refused_naming_the_field(
    central: Central, field: str, where: str
) -> None:
    token = _station(central)
    body = {"station_time": now_iso(), "events": [event(1, **{field: f"F-{NUL}EARLY"})]}
    message = _refusal(central.http.post("/api/v1/sync/push", json=body, headers=auth(token)))
    assert where in message and "NUL" in message and "remove it" in message
    with central.engine.connect() as conn:
        assert conn.execute(select(received_events.c.id)).first() is None  # nothing of the batch was stored


def test_a_nul_in_an_admin_reason_never_reaches_the_database(central: Central) -> None:
    response = central.http.post(
        "/api/v1/admin/lots/F-EARLY/status",
        json={"action": "hold", "reason": f"mould{NUL}; DROP"},
        headers=central.admin(),
    )
    assert "body.reason" in _refusal(response)
    lot = central.http.get("/api/v1/trace/F-EARLY", headers=central.admin()).json()
    assert all(entry["status"] != "hold" for entry in lot["lots"]), lot["lots"]


def test_a_nul_in_a_path_or_query_parameter_is_refused_naming_it(central: Central) -> None:
    token = _station(central)
    assert "path.lot" in _refusal(central.http.get("/api/v1/trace/F-%00EARLY", headers=auth(token)))
    assert "query.item" in _refusal(
        central.http.get("/api/v1/trace/F-EARLY?item=FL%00OUR", headers=auth(token))
    )


@pytest.mark.parametrize("path", ["/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/admin/recall"])
def test_deeply_nested_json_is_a_422_like_every_malformed_body(central: Central, path: str) -> None:
    token = central.admin_token if "admin" in path else _station(central)
    nested = "[" * 10_000 + "]" * 10_000
    headers = {**auth(token), "content-type": "application/json"}
    message = _refusal(central.http.post(path, content=nested, headers=headers))
    assert "nested too deeply" in message


def test_invalid_json_is_a_422_saying_where(central: Central) -> None:
    headers = {**auth(_station(central)), "content-type": "application/json"}
    message = _refusal(central.http.post("/api/v1/sync/push", content='{"events": [', headers=headers))
    assert "not valid JSON" in message and "line 1" in message


@pytest.mark.parametrize("path", ["/api/v1/enroll", "/api/v1/sync/pull", "/api/v1/sync/push"])
def test_an_integer_too_long_to_read_is_a_422_not_a_500(central: Central, path: str) -> None:
    """Tester U6: a JSON integer of 5,000 digits was a plain-text 500 on every JSON endpoint."""
    digits = "9" * 5000
    bodies = {
        "/api/v1/enroll": f'{{"code": {digits}}}',
        "/api/v1/sync/pull": f'{{"after": {digits}}}',
        "/api/v1/sync/push": json.dumps({"station_time": now_iso(), "events": [event(1, qty=7)]}).replace(
            '"qty": 7', f'"qty": {digits}'
        ),
    }
    assert digits in bodies[path]
    headers = {**auth(_station(central)), "content-type": "application/json"}
    message = _refusal(central.http.post(path, content=bodies[path], headers=headers))
    assert "too long to read (more than 4,300 digits)" in message
    assert "sys." not in message  # tester V2: Python's own advice to the server's programmer


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/x-www-form-urlencoded"])
def test_a_body_not_sent_as_json_is_told_to_send_application_json(
    central: Central, content_type: str | None
) -> None:
    headers = auth(_station(central))
    if content_type:
        headers["content-type"] = content_type
    body = json.dumps({"station_time": now_iso(), "events": []})
    message = _refusal(central.http.post("/api/v1/sync/push", content=body, headers=headers), 415)
    assert "Content-Type: application/json" in message


def test_the_long_poll_refuses_a_cursor_no_pull_handed_out(central: Central) -> None:
    token = _station(central)
    cursor = central.http.post("/api/v1/sync/pull", json={"after": 0}, headers=auth(token)).json()[
        "next_cursor"
    ]
    for after in (cursor + 1, 10**12):
        response = central.http.get(f"/api/v1/sync/wait?after={after}&timeout=0", headers=auth(token))
        message = _refusal(response, 410)  # as the pull answers it (tester T3): the station reloads
        assert response.json()["error"] == "RELOAD_REQUIRED"
        assert f"cursor {after} is ahead of central's log ({cursor})" in message and "snapshot" in message
        assert response.json()["head"] == cursor
    assert "query.after" in _refusal(
        central.http.get("/api/v1/sync/wait?after=-1&timeout=0", headers=auth(token))
    )
    honest = central.http.get(f"/api/v1/sync/wait?after={cursor}&timeout=0", headers=auth(token))
    assert honest.status_code == 200 and honest.json() == {"changed": False, "latest": cursor}


def test_an_unknown_admin_action_is_a_422_naming_the_allowed_actions(central: Central) -> None:
    response = central.http.post(
        "/api/v1/admin/lots/F-EARLY/status", json={"action": "pwned", "reason": "x"}, headers=central.admin()
    )
    message = _refusal(response)
    assert "body.action" in message
    assert all(action in message for action in status.ACTIONS)


def test_adding_a_station_under_a_taken_name_is_a_conflict(central: Central) -> None:
    first = central.http.post(
        "/api/v1/admin/stations", json={"site": "P1", "name": "DOCK-1"}, headers=central.admin()
    )
    assert first.status_code == 200, first.text
    again = central.http.post(
        "/api/v1/admin/stations", json={"site": "P1", "name": "DOCK-1"}, headers=central.admin()
    )
    assert "already exists" in _refusal(again, 409)


def test_the_admin_action_vocabulary_is_the_status_modules() -> None:
    assert set(get_args(StatusAction)) == set(status.ACTIONS)


def test_openapi_declares_the_refusals(central: Central) -> None:
    spec = central.http.get("/openapi.json").json()
    push = spec["paths"]["/api/v1/sync/push"]["post"]["responses"]
    assert {"413", "415", "422"} <= set(push)
    assert set(push["422"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1:]) == {"ErrorBody"}
