"""What the schemathesis runs share (tests/central/test_api_fuzz*.py): a central on its own
PostgreSQL schema with the plant, the Hypothesis settings, and the check made of every response.

The station-token run and the admin-token run are two files so the suite's two workers
(`--dist loadfile`) take one each instead of one worker running both in a row.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from tests.central.support import Central, auth, fresh_database

EXAMPLES = int(os.environ.get("LOTSCAN_FUZZ_EXAMPLES", "200"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@contextmanager
def fuzzed_central(directory: Path) -> Iterator[Central]:
    with fresh_database("postgres", directory) as url:
        server = Central(url)
        server.import_plant(directory)
        yield server
        server.close()


def station_token(central: Central) -> str:
    if not hasattr(central, "fuzz_station_token"):
        central.fuzz_station_token = central.enroll("P1")[1]  # type: ignore[attr-defined]
    return str(central.fuzz_station_token)  # type: ignore[attr-defined]


def check(case: Any, token: str) -> None:
    if case.path.endswith("/sync/wait"):
        case.query = {**(case.query or {}), "timeout": 0}  # the long-poll: fuzz its values, not its patience
    response = case.call(headers=auth(token))
    assert response.status_code < 500, (case.method, case.path, case.body, case.query, response.text[:500])
    content_type = response.headers.get("content-type") or [""]
    if response.status_code >= 400 and "json" in str(content_type):
        body = response.json()
        assert isinstance(body, dict) and {"error", "message"} <= set(body), body
