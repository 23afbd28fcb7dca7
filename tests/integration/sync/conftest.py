"""Every central test runs on SQLite and on the PostgreSQL at 127.0.0.1:5432 (own schema each)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.support import Central, fresh_database

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def central(db_url: str, tmp_path: Path) -> Iterator[Central]:
    server = Central(db_url)
    server.import_plant(tmp_path)
    yield server
    server.close()
