"""Central's tables: the shared lot-state tables (same names and columns as the station cache, so
the one `apply_event` runs unchanged on both) plus central-only tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from lotscan.store.schema import Base

SHARED_TABLES = (
    "parties",
    "sites",
    "items",
    "locations",
    "lots",
    "stock",
    "containers",
    "serials",
    "tasks",
    "task_lines",
    "lot_links",
    "operators",
)

metadata = MetaData()
for _name in SHARED_TABLES:
    Base.metadata.tables[_name].to_metadata(metadata)

# An operator who left is deactivated (`active`), never deleted (stored events name them);
# central refuses their pushed events (lotscan.central.operators, validation).
operators = metadata.tables["operators"]

stations = Table(
    "stations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("site", String(64), nullable=False),
    Column("enrol_code_hash", String(64), unique=True),
    Column("token_hash", String(64), unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("enrolled_at", DateTime),
    Column("revoked_at", DateTime),
    Column("local_id", String(64)),
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("last_push_at", DateTime),
    Column("last_pull_at", DateTime),
    Column("last_seen_at", DateTime),
    Column("pull_cursor", BigInteger),
    Column("clock_skew_s", Float),
    Column("pending", BigInteger),
    # Marked out of service by an administrator: not waited for when urgent changes go out.
    Column("out_of_service_at", DateTime),
    # Its part of the lot numbers it makes ({station} of the lot pattern): short and unique.
    Column("lot_part", String(16), unique=True),
)

admin_tokens = Table(
    "admin_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

received_events = Table(
    "received_events",
    metadata,
    Column("server_seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, index=True),
    Column("station", String(64), nullable=False),
    Column("station_seq", BigInteger, nullable=False),
    Column("site", String(64), nullable=False),
    Column("operator", String(64)),
    Column("occurred_at", DateTime, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("clock_skew_s", Float),
    Column("type", String(32), nullable=False),
    Column("workflow", String(16)),
    Column("task_code", String(64)),
    Column("lot_code", String(64)),
    Column("raw", Text),
    Column("payload", Text, nullable=False),
    Column("verdict", String(10)),
    Column("reasons", Text),
    Column("outcome", String(16), nullable=False),
    Column("outcome_reason", Text),
    UniqueConstraint("station", "station_seq", name="uq_received_station_seq"),
    Index("ix_received_outcome", "outcome"),
    Index("ix_received_lot", "lot_code"),
)

# The change log stations pull from. `seq` is handed out under a lock held until commit (see
# changelog.py), so seq order is commit order and a cursor never skips a committed row.
changes = Table(
    "changes",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("site", String(64)),
    Column("key", Text, nullable=False),
    Column("data", Text),
    Column("urgent", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_changes_site_seq", "site", "seq"),
    Index("ix_changes_created", "created_at"),
)

change_counter = Table(
    "change_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
    Column("floor", BigInteger, nullable=False, default=0),
)

reconciliation_items = Table(
    "reconciliation_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("server_seq", BigInteger),
    Column("station", String(64), nullable=False),
    Column("site", String(64), nullable=False),
    Column("lot_code", String(64)),
    Column("code", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("resolved_by", String(64)),
    Column("resolution", Text),
    Index("ix_recon_open", "resolved_at", "id"),
)

lot_status_history = Table(
    "lot_status_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item", String(64), nullable=False),
    Column("lot", String(64), nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("effective_at", DateTime, nullable=False),
    Column("reason", Text),
    Column("by", String(64)),
    Column("source", String(64)),
    Index("ix_status_history_lot", "item", "lot", "effective_at"),
)
