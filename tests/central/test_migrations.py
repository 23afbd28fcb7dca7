"""Central's Alembic migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from lotscan.central.db import head_revision, make_engine, upgrade
from lotscan.central.schema import SHARED_TABLES, metadata
from lotscan.store.schema import Base


def test_migrations_and_models_agree(db_url) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert context.get_current_revision() == head_revision()
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_shared_tables_have_the_station_caches_columns(db_url) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        for name in SHARED_TABLES:
            central_columns = {c["name"] for c in inspector.get_columns(name)}
            assert {c.name for c in Base.metadata.tables[name].columns} <= central_columns, name
    finally:
        engine.dispose()
