"""Statuses imports set before they were recorded as decisions (tester's T16): `audit verify`
judges a lot by its last recorded status decision, or, without one, by the event that created
it. A lot whose status neither explains (an import set it) gets that status recorded now as
the import decision it was (lot_status_history source `import`, chained in the company chain),
held by central as an imported status is; without this, verify names each as `no_decision` or
`status_mismatch`.

Revision ID: 0014_record_imported_statuses
Revises: 0013_backfill_held_by
Create Date: 2026-11-29 06:50:00
"""

from alembic import op

from lotscan.central.importing import record_unexplained_statuses

revision = "0014_record_imported_statuses"
down_revision = "0013_backfill_held_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    record_unexplained_statuses(op.get_bind())


def downgrade() -> None:
    pass  # the recorded decisions stay: they are chained
