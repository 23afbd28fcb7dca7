"""traceability: audit chain, pallet contents, recalls, event-log indexes

Revision ID: 0002_trace
Revises: 0001
Create Date: 2026-11-21 19:45:00
"""

import sqlalchemy as sa
from alembic import op

# The tables are declared in lotscan.central.trace.tables on central's MetaData; importing it here
# registers them whenever migrations run, so model/migration comparisons see them.
import lotscan.central.trace.tables  # noqa: F401

revision = "0002_trace"
down_revision = "0001"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("server_seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("site_seq", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("server_seq"),
    )
    op.create_index("ux_audit_site_seq", "audit_log", ["site", "site_seq"], unique=True)
    op.create_table(
        "audit_heads",
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("site_seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("site"),
    )
    op.create_table(
        "pallet_contents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sscc", sa.String(length=18), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Float(), nullable=True),
        sa.Column("built_event_id", sa.String(length=36), nullable=True),
        sa.Column("built_at", sa.DateTime(), nullable=True),
        sa.Column("broken_event_id", sa.String(length=36), nullable=True),
        sa.Column("broken_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pallet_contents_sscc", "pallet_contents", ["sscc"])
    op.create_index("ix_pallet_contents_lot", "pallet_contents", ["lot_id"])
    op.create_table(
        "recalls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("roots", sa.Text(), nullable=False),
        sa.Column("lots_recalled", sa.Integer(), nullable=False),
        sa.Column("lots_affected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_received_occurred", "received_events", ["occurred_at"])
    op.create_index("ix_received_type_lot", "received_events", ["type", "lot_code"])


def downgrade() -> None:
    op.drop_index("ix_received_type_lot", table_name="received_events")
    op.drop_index("ix_received_occurred", table_name="received_events")
    op.drop_table("recalls")
    op.drop_index("ix_pallet_contents_lot", table_name="pallet_contents")
    op.drop_index("ix_pallet_contents_sscc", table_name="pallet_contents")
    op.drop_table("pallet_contents")
    op.drop_table("audit_heads")
    op.drop_index("ux_audit_site_seq", table_name="audit_log")
    op.drop_table("audit_log")
