"""stations.lot_part: each station's short, unique part of the lot numbers it makes

Revision ID: 0010_station_lot_part
Revises: 0009_operator_active
Create Date: 2026-11-29 00:45:00
"""

import sqlalchemy as sa
from alembic import op

from lotscan.domain.lot_numbers import station_part_candidates

revision = "0010_station_lot_part"
down_revision = "0009_operator_active"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.add_column(sa.Column("lot_part", sa.String(length=16), nullable=True))
        batch.create_unique_constraint("uq_stations_lot_part", ["lot_part"])
    bind = op.get_bind()
    table = sa.table("stations", sa.column("id", sa.Integer), sa.column("name"), sa.column("lot_part"))
    taken: set[str] = set()
    for row in bind.execute(sa.select(table.c.id, table.c.name).order_by(table.c.id)).all():
        part = next(p for p in station_part_candidates(row.name, row.id) if p not in taken)
        taken.add(part)
        bind.execute(sa.update(table).where(table.c.id == row.id).values(lot_part=part))


def downgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.drop_constraint("uq_stations_lot_part", type_="unique")
        batch.drop_column("lot_part")
