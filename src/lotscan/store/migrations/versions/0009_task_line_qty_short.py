"""task_lines.qty_short: how much of a line was closed short, kept apart from qty_expected
(tester V4: a short pick wrote qty_expected down to qty_done, so the line read 0/0 and a rescan
said "already complete (0 of 0 EA)"). Lines closed short before this read as complete, 0 short:
the ordered quantity they lost cannot be recovered here; central's copy, pulled again, has it.

Revision ID: 0009_task_line_qty_short
Revises: 0008_lot_held_by
Create Date: 2026-11-29 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_task_line_qty_short"
down_revision = "0008_lot_held_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_lines") as batch:
        batch.add_column(sa.Column("qty_short", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("task_lines") as batch:
        batch.drop_column("qty_short")
