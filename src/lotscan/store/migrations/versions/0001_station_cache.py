"""station cache

Revision ID: 0001
Revises:
Create Date: 2026-11-21 19:23:20.614638
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("workflow", sa.String(length=16), nullable=True),
        sa.Column("task_code", sa.String(length=64), nullable=True),
        sa.Column("lot_code", sa.String(length=64), nullable=True),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("sync_state", sa.String(length=10), nullable=False),
        sa.Column("server_seq", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_lot", ["lot_code", "seq"], unique=False)
        batch_op.create_index("ix_events_raw", ["raw", "occurred_at"], unique=False)
        batch_op.create_index("ix_events_sync", ["sync_state", "seq"], unique=False)
        batch_op.create_index("ix_events_task", ["task_code", "type"], unique=False)

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("lot_tracked", sa.Boolean(), nullable=False),
        sa.Column("expiry_required", sa.Boolean(), nullable=False),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("min_remaining_days", sa.Integer(), nullable=True),
        sa.Column("receive_status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("gtin"),
    )
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("badge"),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("gln", sa.String(length=13), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("gln", sa.String(length=13), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("pickable", sa.Boolean(), nullable=False),
        sa.Column("is_hold", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_gln"), ["gln"], unique=False)

    op.create_table(
        "lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("best_before", sa.Date(), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("supplier", sa.String(length=100), nullable=True),
        sa.Column("supplier_lot", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "code", name="uq_lots_item_code"),
    )
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.create_index("ix_lots_code", ["code"], unique=False)
        batch_op.create_index("ix_lots_fefo", ["item_id", "status", "expiry"], unique=False)

    op.create_table(
        "containers",
        sa.Column("sscc", sa.String(length=18), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("qty", sa.Float(), nullable=True),
        sa.Column("task_code", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["lots.id"],
        ),
        sa.PrimaryKeyConstraint("sscc"),
    )
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_containers_lot_id"), ["lot_id"], unique=False)

    op.create_table(
        "lot_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_lot_id", sa.Integer(), nullable=False),
        sa.Column("child_lot_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Float(), nullable=True),
        sa.Column("task_code", sa.String(length=64), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_lot_id"],
            ["lots.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_lot_id"],
            ["lots.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lot_links", schema=None) as batch_op:
        batch_op.create_index("ix_lot_links_child", ["child_lot_id"], unique=False)
        batch_op.create_index("ix_lot_links_parent", ["parent_lot_id"], unique=False)

    op.create_table(
        "serials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["lots.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "serial", name="uq_serials_item_serial"),
    )
    op.create_table(
        "stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Float(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["lots.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lot_id", "location_id", name="uq_stock_lot_location"),
    )
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.create_index("ix_stock_location", ["location_id"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("planned_qty", sa.Float(), nullable=True),
        sa.Column("line", sa.String(length=32), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "task_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty_expected", sa.Float(), nullable=False),
        sa.Column("qty_done", sa.Float(), nullable=False),
        sa.Column("lot_code", sa.String(length=64), nullable=True),
        sa.Column("sscc", sa.String(length=18), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "line_no", name="uq_task_lines_no"),
    )
    with op.batch_alter_table("task_lines", schema=None) as batch_op:
        batch_op.create_index("ix_task_lines_item", ["task_id", "item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_task_lines_item")

    op.drop_table("task_lines")
    op.drop_table("tasks")
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_location")

    op.drop_table("stock")
    op.drop_table("serials")
    with op.batch_alter_table("lot_links", schema=None) as batch_op:
        batch_op.drop_index("ix_lot_links_parent")
        batch_op.drop_index("ix_lot_links_child")

    op.drop_table("lot_links")
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_containers_lot_id"))

    op.drop_table("containers")
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_index("ix_lots_fefo")
        batch_op.drop_index("ix_lots_code")

    op.drop_table("lots")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_gln"))

    op.drop_table("locations")
    op.drop_table("sync_state")
    op.drop_table("sites")
    op.drop_table("operators")
    op.drop_table("items")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_task")
        batch_op.drop_index("ix_events_sync")
        batch_op.drop_index("ix_events_raw")
        batch_op.drop_index("ix_events_lot")

    op.drop_table("events")
    op.drop_table("counters")
