"""Trace tests run on SQLite and on the PostgreSQL at 127.0.0.1:5432 (a private schema each)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lotscan.central.db import open_central
from tests.central.support import fresh_database
from tests.trace.generated import Generated, Model, generate, load, model

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@dataclass
class Genealogy:
    url: str
    engine: Engine
    generated: Generated
    model: Model


@pytest.fixture(scope="module", params=BACKENDS)
def genealogy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Genealogy]:
    """One generated genealogy per backend, shared by a module's read-only tests."""
    directory = tmp_path_factory.mktemp("genealogy")
    with fresh_database(request.param, directory) as url:
        engine = open_central(url)
        generated = generate()
        load(engine, generated, directory)
        yield Genealogy(url, engine, generated, model(generated))
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def fresh_genealogy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Genealogy]:
    """A genealogy of its own, for tests that change it (recall, tampering)."""
    with fresh_database(request.param, tmp_path) as url:
        engine = open_central(url)
        generated = generate(seed=11, raw=12, intermediates=8, finished=10)
        load(engine, generated, tmp_path)
        yield Genealogy(url, engine, generated, model(generated))
        engine.dispose()
