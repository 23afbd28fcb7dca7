"""Central tables for traceability, declared on central's MetaData (migration 0002_trace).

- audit_log: one record per received event, hash-chained per site (see audit.py).
- audit_heads: the newest hash of each site's chain; its row lock serialises appends per site.
- pallet_contents: which lots (and how much of each) a pallet (SSCC) carried, built to broken.
- recalls: who recalled which lots, when and why.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, Index, Integer, String, Table, Text

from lotscan.central.schema import metadata, received_events

audit_log = Table(
    "audit_log",
    metadata,
    Column("server_seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("site", String(64), nullable=False),
    Column("site_seq", BigInteger, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ux_audit_site_seq", "site", "site_seq", unique=True),
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("site", String(64), primary_key=True),
    Column("site_seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

pallet_contents = Table(
    "pallet_contents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sscc", String(18), nullable=False),
    Column("lot_id", Integer, nullable=False),
    Column("qty", Float),
    Column("built_event_id", String(36)),
    Column("built_at", DateTime),
    Column("broken_event_id", String(36)),
    Column("broken_at", DateTime),
    Index("ix_pallet_contents_sscc", "sscc"),
    Index("ix_pallet_contents_lot", "lot_id"),
)

recalls = Table(
    "recalls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("by", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("roots", Text, nullable=False),
    Column("lots_recalled", Integer, nullable=False),
    Column("lots_affected", Integer, nullable=False),
)

# Time-range exports (FSMA 204, EPCIS) and per-type look-ups over central's event log.
ix_received_occurred = Index("ix_received_occurred", received_events.c.occurred_at)
ix_received_type_lot = Index("ix_received_type_lot", received_events.c.type, received_events.c.lot_code)
