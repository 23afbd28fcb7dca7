"""parties (location descriptions) and a site's time zone, as on stations; FSMA 204 records
of events before our plant (kde_records)

Revision ID: 0004_parties
Revises: 0003_pin_hash_length
Create Date: 2026-11-28 18:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_parties"
down_revision = "0003_pin_hash_length"
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
    op.create_table(
        "kde_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cte", sa.String(length=32), nullable=False),
        sa.Column("tlc", sa.String(length=64), nullable=True),
        sa.Column("item", sa.String(length=64), nullable=True),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("commodity_variety", sa.String(length=200), nullable=True),
        sa.Column("qty", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("location", sa.String(length=64), nullable=True),
        sa.Column("previous_source", sa.String(length=200), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("tlc_source", sa.String(length=200), nullable=True),
        sa.Column("tlc_source_reference", sa.String(length=200), nullable=True),
        sa.Column("doc_type", sa.String(length=64), nullable=True),
        sa.Column("doc_number", sa.String(length=64), nullable=True),
        sa.Column("harvest_date", sa.String(length=32), nullable=True),
        sa.Column("farm", sa.String(length=200), nullable=True),
        sa.Column("field_name", sa.String(length=200), nullable=True),
        sa.Column("harvester", sa.String(length=200), nullable=True),
        sa.Column("cooling_location", sa.String(length=200), nullable=True),
        sa.Column("cooling_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_kde_records_tlc", "kde_records", ["tlc"])
    op.create_index("ix_kde_records_date", "kde_records", ["event_date"])
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False))


def downgrade() -> None:
    op.drop_table("kde_records")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("time_zone")
    op.drop_table("parties")
