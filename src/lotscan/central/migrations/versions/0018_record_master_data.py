"""Master data central held before its changes were recorded as decisions (issue 9 item 5): `audit
verify` judges each site, location, item, party, task and task line by the last decision that
recorded its state (trace/audit_master_data.py), and names a row no decision recorded as
`NOUN_unrecorded`. Each row held now is recorded as `NOUN.recorded` by `migration 0018` in the
company chain, as migration 0016 did for operators; without this, verify names every row of a
database imported before.

Revision ID: 0018_record_master_data
Revises: 0017_holders_of_lots_made_held
Create Date: 2026-11-29 10:45:00
"""

from alembic import op

from lotscan.central.trace.audit_master_data import record_unrecorded

revision = "0018_record_master_data"
down_revision = "0017_holders_of_lots_made_held"
branch_labels = None
depends_on = None


def upgrade() -> None:
    record_unrecorded(op.get_bind())


def downgrade() -> None:
    pass  # the recorded decisions stay: they are chained
