"""pin_tries: wrong PINs in a row and the lockout, by badge, kept in the cache so a restart of
the station does not lift a lockout and separate `lotscan scan --pin` runs count together

Revision ID: 0007_pin_tries
Revises: 0006_operator_site
Create Date: 2026-11-29 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_pin_tries"
down_revision = "0006_operator_site"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_tries",
        sa.Column("badge", sa.String(length=64), primary_key=True),
        sa.Column("wrong", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.Float(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("pin_tries")
