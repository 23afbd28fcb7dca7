"""operators.site: an operator's home site (None: every site); central sends the row, with its
PIN hash, only to that site's stations, and
refuses events naming them from another site's station

Revision ID: 0011_operator_site
Revises: 0010_station_lot_part
Create Date: 2026-11-29 01:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_operator_site"
down_revision = "0010_station_lot_part"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("site", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("site")
