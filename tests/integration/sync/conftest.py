"""Sync tests use central's fixtures: every test on SQLite and on the real PostgreSQL."""

from tests.central.conftest import central, db_url

__all__ = ["central", "db_url"]
