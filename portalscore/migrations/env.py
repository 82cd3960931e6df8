"""Alembic environment: always run in code (portalscore.migrations.upgrade) on a shared connection."""

from alembic import context

from portalscore.storage import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("portalscore migrations run through portalscore.migrations.upgrade(url)")

context.configure(
    connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite"
)  # SQLite alters tables by copy
with context.begin_transaction():
    context.run_migrations()
