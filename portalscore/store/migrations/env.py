"""Alembic environment: always run in code (portalscore.store.migrations.upgrade) on a shared connection.

No target metadata: the migrations are the schema (nothing to autogenerate from)."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("portalscore migrations run through portalscore.store.migrations.upgrade(url)")

context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")  # SQLite alters by copy
with context.begin_transaction():
    context.run_migrations()
