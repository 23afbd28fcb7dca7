"""hold and recall reach: stations marked out of service; a recall's change-log seq

Revision ID: 0006_reach
Revises: 0005_drills
Create Date: 2026-11-28 19:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_reach"
down_revision = "0005_drills"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.add_column(sa.Column("out_of_service_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("recalls") as batch:
        batch.add_column(sa.Column("change_seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recalls") as batch:
        batch.drop_column("change_seq")
    with op.batch_alter_table("stations") as batch:
        batch.drop_column("out_of_service_at")
