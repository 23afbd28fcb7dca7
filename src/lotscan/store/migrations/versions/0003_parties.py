"""parties (location descriptions) and a site's time zone

Revision ID: 0003_parties
Revises: 0002_pin_hash_length
Create Date: 2026-11-28 18:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_parties"
down_revision = "0002_pin_hash_length"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=32), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("gln", sa.String(length=13), nullable=True),
        sa.Column("ffrn", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("time_zone")
    op.drop_table("parties")
