"""mock recall drills: when, who, which lots, how long, the result

Revision ID: 0005_drills
Revises: 0004_parties
Create Date: 2026-11-28 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_drills"
down_revision = "0004_parties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("roots", sa.Text(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("elapsed_s", sa.Float(), nullable=False),
        sa.Column("affected_lots", sa.Integer(), nullable=False),
        sa.Column("differences", sa.Integer(), nullable=False),
        sa.Column("missing_kdes", sa.Integer(), nullable=False),
        sa.Column("recall_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("out_dir", sa.Text(), nullable=True),
        sa.Column("report_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("drills")
