"""No input gives a 5xx: a bounded schemathesis run over every operation of central's
`/openapi.json`, with a station token and with an admin token, on SQLite and PostgreSQL.

Finding (issue 9): 41 distinct 500s in a schemathesis run. Bad input must get a 4xx with
`{"error", "message"}`; 5xx is only for a real transient fault, which a healthy test database
never has.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.central.support import Central, auth

EXAMPLES = int(os.environ.get("LOTSCAN_FUZZ_EXAMPLES", "150"))


@pytest.fixture
def api_schema(central: Central) -> object:
    return schemathesis.openapi.from_asgi("/openapi.json", central.app)


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
@schema.parametrize()
@FUZZ
def test_no_server_error_with_a_station_token(case, central: Central) -> None:
    check(case, _station_token(central))


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_no_server_error_with_an_admin_token(case, central: Central) -> None:
    check(case, central.admin_token)
