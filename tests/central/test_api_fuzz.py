"""No input gives a 5xx: a bounded schemathesis run over every operation of central's
`/openapi.json`, with a station token here and with an admin token in test_api_fuzz_admin.py, on
PostgreSQL (the database that refuses overlong and overlarge values; SQLite's refusals are covered
by the same handlers). What both runs share: tests/central/fuzzing.py.

Finding (issue 9): 41 distinct 500s in a schemathesis run. Bad input must get a 4xx with
`{"error", "message"}`; 5xx is only for a real transient fault, which a healthy test database
never has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis

from tests.central.fuzzing import FUZZ, check, fuzzed_central, station_token
from tests.central.support import Central


@pytest.fixture
def fuzzed(tmp_path: Path) -> Iterator[Central]:
    with fuzzed_central(tmp_path) as server:
        yield server


@pytest.fixture
def api_schema(fuzzed: Central) -> object:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@pytest.mark.postgres
@schema.parametrize()
@FUZZ
def test_no_server_error_with_a_station_token(case, fuzzed: Central) -> None:
    check(case, station_token(fuzzed))
