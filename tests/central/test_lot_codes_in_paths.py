"""Tester's W19 (a real `lotscan central serve` process, real HTTP, SQLite and PostgreSQL): a lot
code with "/" or "?" (legal in GS1 AI 10, common on supplier labels: L2611/03) was stored, but an
admin holding it over HTTP during an incident got "central refused (404): Not Found", as did its
status, trace and genealogy. Every lot central stores is reached by its documented API: the lot
routes take the rest of the path, and the CLI sends the code as one encoded segment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli as main
from tests.central.processes import Server, free_port
from tests.central.support import Central, auth
from tests.central.test_authority import ev, lot_status, outcome

SLASHED = "L2611/03?X"


@pytest.fixture
def served(central: Central, tmp_path: Path) -> Iterator[str]:
    server = Server(central.url, free_port(), tmp_path / "serve.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_a_lot_code_with_a_slash_is_held_traced_and_released_over_http(central: Central, served: str) -> None:
    _, token = central.enroll("P1")
    received = {"item": "FLOUR", "lot": SLASHED, "qty": 10, "location": "DOCK"}
    assert outcome(central, token, ev(1, "stock.received", received))["outcome"] == "applied"
    remote = ["--server", served, "--token", central.admin_token]
    runner = CliRunner()
    held = runner.invoke(main, ["central", "lot", "hold", SLASHED, "--reason", "supplier alert", *remote])
    assert held.exit_code == 0, held.output
    assert f"lot {SLASHED} of FLOUR: released -> hold" in held.output
    assert lot_status(central, SLASHED) == "hold"
    status = runner.invoke(main, ["central", "lot", "status", SLASHED, "--json", *remote])
    assert status.exit_code == 0, status.output
    assert [(e["lot"], e["status"]) for e in json.loads(status.output)] == [(SLASHED, "hold")]
    segment = quote(SLASHED, safe="")
    for path in (f"/api/v1/trace/{segment}", f"/api/v1/lots/{segment}/genealogy"):
        answer = httpx.get(served + path, headers=auth(central.admin_token), timeout=30)
        assert answer.status_code == 200, (path, answer.text)
        assert {root["lot"] for root in answer.json()["lots"] if root.get("depth", 0) == 0} == {SLASHED}
    released = runner.invoke(main, ["central", "lot", "release", SLASHED, "--reason", "cleared", *remote])
    assert released.exit_code == 0, released.output
    assert lot_status(central, SLASHED) == "released"
