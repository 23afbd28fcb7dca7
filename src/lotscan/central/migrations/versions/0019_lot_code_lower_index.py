"""The station's index on a lot's case-folded code within its item (station migration 0010,
tester W21) at central too: the lots table is one model for both (store/schema.py), so the
models and central's migrations agree, and central's bulk loaders that drop and rebuild the
model's indexes find it.

Revision ID: 0019_lot_code_lower_index
Revises: 0018_record_master_data
Create Date: 2026-11-29 11:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_lot_code_lower_index"
down_revision = "0018_record_master_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_lots_item_code_lower", "lots", ["item_id", sa.text("lower(code)")])


def downgrade() -> None:
    op.drop_index("ix_lots_item_code_lower", table_name="lots")
