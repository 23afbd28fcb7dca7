"""Operators central held before operator changes were recorded as decisions (tester W3): `audit
verify` judges each operator row (name, role, site, active, PIN) by the last decision that recorded
its state, and names a row no decision recorded as `operator_unrecorded`. Each operator held now is
recorded as `operator.recorded` by `migration 0016` in the company chain, as migration 0014 did for
imported statuses; without this, verify names every operator of a database imported before.

Revision ID: 0016_record_operators
Revises: 0015_task_line_qty_short
Create Date: 2026-11-29 10:00:00
"""

from alembic import op

from lotscan.central.trace.audit_operators import record_unrecorded

revision = "0016_record_operators"
down_revision = "0015_task_line_qty_short"
branch_labels = None
depends_on = None


def upgrade() -> None:
    record_unrecorded(op.get_bind())


def downgrade() -> None:
    pass  # the recorded decisions stay: they are chained
