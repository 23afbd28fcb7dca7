"""audit chain covers every stored column and central's decisions: audit_log records say what
they cover (kind, ref) and are keyed by (chain, seq); central_decisions; look-up indexes

Records chained before this revision keep the formula they were made with (kind 'event.v1').

Revision ID: 0007_audit_everything
Revises: 0006_reach
Create Date: 2026-11-28 19:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_audit_everything"
down_revision = "0006_reach"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_log_v2",
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("site_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("site", "site_seq"),
    )
    op.execute(
        "INSERT INTO audit_log_v2 (site, site_seq, kind, ref, prev_hash, hash) "
        "SELECT site, site_seq, 'event.v1', server_seq, prev_hash, hash FROM audit_log"
    )
    op.drop_index("ux_audit_site_seq", table_name="audit_log")
    op.drop_table("audit_log")
    op.rename_table("audit_log_v2", "audit_log")
    op.create_index("ux_audit_kind_ref", "audit_log", ["kind", "ref"], unique=True)
    op.create_table(
        "central_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recon_event", "reconciliation_items", ["event_id"])
    op.create_index("ix_status_history_source", "lot_status_history", ["source"])


def downgrade() -> None:
    op.drop_index("ix_status_history_source", table_name="lot_status_history")
    op.drop_index("ix_recon_event", table_name="reconciliation_items")
    op.drop_table("central_decisions")
    op.create_table(
        "audit_log_v1",
        sa.Column("server_seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("site_seq", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("server_seq"),
    )
    op.execute(
        "INSERT INTO audit_log_v1 (server_seq, site, site_seq, prev_hash, hash) "
        "SELECT ref, site, site_seq, prev_hash, hash FROM audit_log WHERE kind = 'event.v1'"
    )
    op.drop_index("ux_audit_kind_ref", table_name="audit_log")
    op.drop_table("audit_log")
    op.rename_table("audit_log_v1", "audit_log")
    op.create_index("ux_audit_site_seq", "audit_log", ["site", "site_seq"], unique=True)
