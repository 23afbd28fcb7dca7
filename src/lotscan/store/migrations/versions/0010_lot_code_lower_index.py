"""An index on a lot's case-folded code within its item: a lot code unknown for the item is
compared with its lots but for letter case (tester W21: a keyboard-wedge scanner with Caps Lock
on) in one index probe (3 us against ~100 us scanning an item's 500 lots in the bench cache).

Revision ID: 0010_lot_code_lower_index
Revises: 0009_task_line_qty_short
Create Date: 2026-11-29 11:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_lot_code_lower_index"
down_revision = "0009_task_line_qty_short"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_lots_item_code_lower", "lots", ["item_id", sa.text("lower(code)")])


def downgrade() -> None:
    op.drop_index("ix_lots_item_code_lower", table_name="lots")
