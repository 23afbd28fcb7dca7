"""lots.held_by: who set the status a lot has since its last release, as central sends it
(NULL until the next pull or snapshot brings it)

Revision ID: 0008_lot_held_by
Revises: 0007_pin_tries
Create Date: 2026-11-29 03:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_lot_held_by"
down_revision = "0007_pin_tries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lots") as batch:
        batch.add_column(sa.Column("held_by", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lots") as batch:
        batch.drop_column("held_by")
