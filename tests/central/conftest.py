"""Every central test runs on SQLite and on the PostgreSQL at 127.0.0.1:5432 (own schema each)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.support import Central, fresh_database
from tests.plant import write_plant

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


_TEMPLATES: dict[str, Path] = {}


def sqlite_plant_template(factory: pytest.TempPathFactory) -> Path:
    """A SQLite central migrated to head with the plant imported, made once per worker: each
    SQLite test copies it instead of running every migration and the import again. (A plain
    function, not a fixture: tests/integration/sync and tests/ui import `central` alone.)"""
    if "plant" not in _TEMPLATES:
        directory = factory.mktemp("central-template")
        path = directory / "central.db"
        server = Central(f"sqlite:///{path}")
        server.import_plant(directory)
        server.close()
        _TEMPLATES["plant"] = path
    return _TEMPLATES["plant"]


@pytest.fixture
def central(db_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    if db_url.startswith("sqlite:///"):
        write_plant(tmp_path)  # as import_plant leaves it
        source = sqlite3.connect(sqlite_plant_template(tmp_path_factory))
        copy = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        server = Central(db_url)  # at head already: no migration runs
    else:
        server = Central(db_url)
        server.import_plant(tmp_path)
    yield server
    server.close()
