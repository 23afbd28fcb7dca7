"""operators.pin_hash holds a whole scrypt hash (168 characters did not fit VARCHAR(128))

Revision ID: 0003_pin_hash_length
Revises: 0002_trace
Create Date: 2026-11-28 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_pin_hash_length"
down_revision = "0002_trace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.alter_column(
            "pin_hash",
            existing_type=sa.String(length=128),
            type_=sa.String(length=255),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.alter_column(
            "pin_hash",
            existing_type=sa.String(length=255),
            type_=sa.String(length=128),
            existing_nullable=True,
        )
