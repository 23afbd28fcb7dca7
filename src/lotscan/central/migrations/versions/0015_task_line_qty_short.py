"""task_lines.qty_short: how much of a line was closed short, kept apart from qty_expected
(tester V4: a short pick wrote qty_expected down to qty_done, so the line read 0/0 and a rescan
said "already complete (0 of 0 EA)"). Lines closed short before now are put right from the
pick.short events central stored (central/short_lines.py), and stations learn them by pull.

Revision ID: 0015_task_line_qty_short
Revises: 0014_record_imported_statuses
Create Date: 2026-11-29 09:40:00
"""

import sqlalchemy as sa
from alembic import op

from lotscan.central.short_lines import restore_closed_short_lines

revision = "0015_task_line_qty_short"
down_revision = "0014_record_imported_statuses"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_lines") as batch:
        batch.add_column(sa.Column("qty_short", sa.Float(), nullable=False, server_default="0"))
    restore_closed_short_lines(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("task_lines") as batch:
        batch.drop_column("qty_short")
