"""operators.site: an operator's home site (None: every site); central sends the row, with its
PIN hash, only to that site's stations

Revision ID: 0006_operator_site
Revises: 0005_operator_active
Create Date: 2026-11-29 01:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_operator_site"
down_revision = "0005_operator_active"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("site", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("site")
