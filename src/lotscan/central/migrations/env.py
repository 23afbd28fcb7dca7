from alembic import context

from lotscan.central.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run central migrations through lotscan.central.db.upgrade()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
