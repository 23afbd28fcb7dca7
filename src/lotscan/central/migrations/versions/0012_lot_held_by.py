"""lots.held_by: who set the status a lot has since its last release (a site, sites, or
"central"), sent with the lot so a station refuses a release central would refuse. Recalled and
rejected lots are central's; an existing hold or quarantine stays unknown (NULL: central judges)

Revision ID: 0012_lot_held_by
Revises: 0011_operator_site
Create Date: 2026-11-29 03:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_lot_held_by"
down_revision = "0011_operator_site"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lots") as batch:
        batch.add_column(sa.Column("held_by", sa.String(length=255), nullable=True))
    op.execute("UPDATE lots SET held_by = 'central' WHERE status IN ('recalled', 'rejected')")


def downgrade() -> None:
    with op.batch_alter_table("lots") as batch:
        batch.drop_column("held_by")
