"""lots.held_by for the holds and quarantines central had before 0012 (tester's T15): 0012 left
them NULL (unknown), so a station accepted a release central then refused. The holder is what
central's own release check finds in the status history and the events it came from
(central/status.py hold_origin_sites); each lot filled in goes into the change log, so stations
learn it at their next pull.

Revision ID: 0013_backfill_held_by
Revises: 0012_lot_held_by
Create Date: 2026-11-29 04:40:00
"""

from alembic import op

from lotscan.central.status import backfill_holders

revision = "0013_backfill_held_by"
down_revision = "0012_lot_held_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    backfill_holders(op.get_bind())


def downgrade() -> None:
    pass  # the holders stay: 0012's column keeps what central knows
