"""The first schema: runs, run_portals, pages, scores (evidence and scores as JSON documents).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("registry_name", sa.String(200), nullable=False),
        sa.Column("registry_file", sa.Text, nullable=False),
        sa.Column("criteria_set", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40)),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("portals", sa.JSON, nullable=False),
    )
    op.create_table(
        "run_portals",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("portal_id", sa.String(64), primary_key=True),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.String(40)),
    )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("portal_id", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("profile", sa.String(20), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("run_id", "portal_id", "url", "profile", name="uq_page"),
    )
    op.create_index("ix_pages_run_id", "pages", ["run_id"])
    op.create_table(
        "scores",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("criteria_set", sa.String(200), primary_key=True),
        sa.Column("portal_id", sa.String(64), primary_key=True),
        sa.Column("score", sa.JSON, nullable=False),
        sa.Column("created_at", sa.String(40)),
    )


def downgrade() -> None:
    op.drop_table("scores")
    op.drop_index("ix_pages_run_id", table_name="pages")
    op.drop_table("pages")
    op.drop_table("run_portals")
    op.drop_table("runs")
