"""operators.active: central's deactivation reaches the station by pull, which then refuses
the operator's sign-in and scans (central already had the column, central migration 0009)

Revision ID: 0005_operator_active
Revises: 0004_item_pack_size
Create Date: 2026-11-29 01:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_operator_active"
down_revision = "0004_item_pack_size"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("active")
