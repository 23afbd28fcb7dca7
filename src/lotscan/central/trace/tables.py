"""Central tables for traceability, declared on central's MetaData (migration 0002_trace).

- audit_log: one record per audited row (a received event or one of central's decisions),
  hash-chained per site plus one company-wide chain (see audited.py for what each covers).
- audit_heads: the newest record of each chain; its row lock serialises appends per chain.
- central_decisions: decisions that have no table of their own (e.g. mock-recall drills),
  recorded through `lotscan.central.trace.decisions.record_decision`.
- pallet_contents: which lots (and how much of each) a pallet (SSCC) carried, built to broken.
- recalls: who recalled which lots, when and why.
- kde_records (migration 0003): FSMA 204 records of events that happen before our plant
  (harvesting, cooling, initial packing, first land-based receiving), imported from farms and
  vessels or recorded when receiving raw agricultural commodities.
- drills (migration 0005): every mock recall drill: when, who, which lots, how long, the result.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Float, Index, Integer, String, Table, Text

from lotscan.central.schema import lot_status_history, metadata, received_events, reconciliation_items

audit_log = Table(
    "audit_log",
    metadata,
    Column("site", String(64), primary_key=True),  # the chain: a site code or COMPANY_CHAIN
    Column("site_seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),  # what the record covers (audited.KINDS)
    Column("ref", BigInteger, nullable=False),  # the covered row's key (server_seq for events)
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ux_audit_kind_ref", "kind", "ref", unique=True),
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("site", String(64), primary_key=True),
    Column("site_seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

central_decisions = Table(
    "central_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chain", String(64), nullable=False),
    Column("decision", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("by", String(64), nullable=False),
    Column("subject", String(200)),
    Column("detail", Text),
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
    # The change-log seq of the recall's urgent changes: stations that pulled past it have it.
    Column("change_seq", BigInteger),
)

kde_records = Table(
    "kde_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cte", String(32), nullable=False),
    Column("tlc", String(64)),
    Column("item", String(64)),
    Column("product", String(200)),
    Column("commodity_variety", String(200)),
    Column("qty", Float),
    Column("unit", String(16)),
    Column("event_date", Date),
    Column("location", String(64)),
    Column("previous_source", String(200)),
    Column("recipient", String(200)),
    Column("tlc_source", String(200)),
    Column("tlc_source_reference", String(200)),
    Column("doc_type", String(64)),
    Column("doc_number", String(64)),
    Column("harvest_date", String(32)),
    Column("farm", String(200)),
    Column("field_name", String(200)),
    Column("harvester", String(200)),
    Column("cooling_location", String(200)),
    Column("cooling_date", Date),
    Column("source", String(200), nullable=False),
    Index("ix_kde_records_tlc", "tlc"),
    Index("ix_kde_records_date", "event_date"),
)

drills = Table(
    "drills",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("by", String(64), nullable=False),
    Column("roots", Text, nullable=False),
    Column("direction", String(16), nullable=False),
    Column("elapsed_s", Float, nullable=False),
    Column("affected_lots", Integer, nullable=False),
    Column("differences", Integer, nullable=False),
    Column("missing_kdes", Integer, nullable=False),
    Column("recall_id", Integer),
    Column("result", String(16), nullable=False),
    Column("out_dir", Text),
    Column("report_sha256", String(64), nullable=False),
)

# Time-range exports (FSMA 204, EPCIS) and per-type look-ups over central's event log.
ix_received_occurred = Index("ix_received_occurred", received_events.c.occurred_at)
ix_received_type_lot = Index("ix_received_type_lot", received_events.c.type, received_events.c.lot_code)
# Finding the decisions a push made (reconciliation items, station status changes) to chain them.
ix_recon_event = Index("ix_recon_event", reconciliation_items.c.event_id)
ix_status_history_source = Index("ix_status_history_source", lot_status_history.c.source)
