"""The station's local lot cache: SQLAlchemy models, queries, migrations (SQLite)."""
