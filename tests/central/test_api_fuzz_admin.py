"""No input gives a 5xx with an admin token: the schemathesis run of test_api_fuzz.py (which has
the station token's), over every operation of central's `/openapi.json` on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis

from tests.central.fuzzing import FUZZ, check, fuzzed_central
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
def test_no_server_error_with_an_admin_token(case, fuzzed: Central) -> None:
    check(case, fuzzed.admin_token)
