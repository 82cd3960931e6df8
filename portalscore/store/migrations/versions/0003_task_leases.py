"""Leases on distributed tasks: a task row is queued by the coordinator before a worker takes it, and
the worker's lease tells a working worker from a lost one (docs/operations.md, "A lost worker").

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("queued_at", sa.String(40)))
        batch.add_column(sa.Column("lease_until", sa.Float))  # the database's clock, seconds since the epoch
        batch.add_column(sa.Column("error", sa.Text))
        # A queued task has no worker yet.
        batch.alter_column("worker", existing_type=sa.String(300), nullable=True)
        batch.alter_column("pid", existing_type=sa.Integer, nullable=True)
        batch.alter_column("started_at", existing_type=sa.String(40), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("started_at", existing_type=sa.String(40), nullable=False)
        batch.alter_column("pid", existing_type=sa.Integer, nullable=False)
        batch.alter_column("worker", existing_type=sa.String(300), nullable=False)
        batch.drop_column("error")
        batch.drop_column("lease_until")
        batch.drop_column("queued_at")
