"""items: pack size (base units in one trade unit, the thing GS1 AI 30 counts) and its name

Revision ID: 0008_item_pack_size
Revises: 0007_audit_everything
Create Date: 2026-11-28 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_item_pack_size"
down_revision = "0007_audit_everything"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("pack_size", sa.Float(), nullable=True))
        batch.add_column(sa.Column("pack_unit", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("pack_unit")
        batch.drop_column("pack_size")
