"""No input gives a 5xx: a bounded schemathesis run over every operation of central's
`/openapi.json`, with a station token and with an admin token, on PostgreSQL (the database
that refuses overlong and overlarge values; SQLite's refusals are covered by the same handlers).

Finding (issue 9): 41 distinct 500s in a schemathesis run. Bad input must get a 4xx with
`{"error", "message"}`; 5xx is only for a real transient fault, which a healthy test database
never has.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.central.support import Central, auth, fresh_database

EXAMPLES = int(os.environ.get("LOTSCAN_FUZZ_EXAMPLES", "200"))


@pytest.fixture
def fuzzed(tmp_path: Path) -> Iterator[Central]:
    with fresh_database("postgres", tmp_path) as url:
        server = Central(url)
        server.import_plant(tmp_path)
        yield server
        server.close()


@pytest.fixture
def api_schema(fuzzed: Central) -> object:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app)


schema = schemathesis.pytest.from_fixture("api_schema")


def _station_token(central: Central) -> str:
    if not hasattr(central, "fuzz_station_token"):
        central.fuzz_station_token = central.enroll("P1")[1]  # type: ignore[attr-defined]
    return str(central.fuzz_station_token)  # type: ignore[attr-defined]


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def check(case, token: str) -> None:
    if case.path.endswith("/sync/wait"):
        case.query = {**(case.query or {}), "timeout": 0}  # the long-poll: fuzz its values, not its patience
    response = case.call(headers=auth(token))
    assert response.status_code < 500, (case.method, case.path, case.body, case.query, response.text[:500])
    content_type = response.headers.get("content-type") or [""]
    if response.status_code >= 400 and "json" in str(content_type):
        body = response.json()
        assert isinstance(body, dict) and {"error", "message"} <= set(body), body


@pytest.mark.slow
@pytest.mark.postgres
@schema.parametrize()
@FUZZ
def test_no_server_error_with_a_station_token(case, fuzzed: Central) -> None:
    check(case, _station_token(fuzzed))


@pytest.mark.slow
@pytest.mark.postgres
@schema.parametrize()
@FUZZ
def test_no_server_error_with_an_admin_token(case, fuzzed: Central) -> None:
    check(case, fuzzed.admin_token)
