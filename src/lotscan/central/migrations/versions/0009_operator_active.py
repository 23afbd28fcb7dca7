"""operators.active (central only): a deactivated operator's pushed events are refused

Revision ID: 0009_operator_active
Revises: 0008_item_pack_size
Create Date: 2026-11-28 21:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_operator_active"
down_revision = "0008_item_pack_size"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("active")
