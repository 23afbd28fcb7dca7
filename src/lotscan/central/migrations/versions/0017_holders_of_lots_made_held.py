"""lots.held_by for lots a station made on hold or in quarantine before central kept their maker
as the holder (tester's W9, second reproduction: a receipt into quarantine left it NULL, so
another site's station accepted a release central then refused). The same backfill as 0013: the
holder central's own release check finds in the status history and the event that made the lot
(central/status.py backfill_holders); each lot filled in goes into the change log, so stations
learn it at their next pull.

Revision ID: 0017_holders_of_lots_made_held
Revises: 0016_record_operators
Create Date: 2026-11-29 10:30:00
"""

from alembic import op

from lotscan.central.status import backfill_holders

revision = "0017_holders_of_lots_made_held"
down_revision = "0016_record_operators"
branch_labels = None
depends_on = None


def upgrade() -> None:
    backfill_holders(op.get_bind())


def downgrade() -> None:
    pass  # the holders stay: they are what central knows
