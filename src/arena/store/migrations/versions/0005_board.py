"""Board: write tokens per host, who submitted a run, content digest, retraction, outbox, data
version."""
# Revision ID: 0005
# Revises: 0004

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_RUN_COLUMNS = (
    ("submitted_by", sa.String(100)),
    ("submitted_at", sa.String(40)),
    ("content_hash", sa.String(64)),
    ("retracted_at", sa.String(40)),
    ("retract_reason", sa.Text()),
)


def upgrade() -> None:
    """Add the board columns and tables; every existing run stays local and unretracted."""
    op.add_column("hardware", sa.Column("memory_gb", sa.Float()))
    for name, kind in _RUN_COLUMNS:
        op.add_column("run", sa.Column(name, kind))
    # unique, so two concurrent uploads of the same content cannot both insert
    op.create_index("ix_run_content_hash", "run", ["content_hash"], unique=True)
    op.create_table(
        "board_token",
        sa.Column("host", sa.String(100), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "run_id", sa.String(64), sa.ForeignKey("run.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("target", sa.String(500), primary_key=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_attempt_at", sa.String(40)),
        sa.Column("last_error", sa.Text()),
        sa.Column("delivered_at", sa.String(40)),
        sa.Column("board_run_id", sa.String(64)),
    )  # fmt: skip
    version = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])


def downgrade() -> None:
    """Drop the board tables and columns (submitted runs stay, as plain runs)."""
    op.drop_table("data_version")
    op.drop_table("outbox")
    op.drop_table("board_token")
    op.drop_index("ix_run_content_hash", table_name="run")
    with op.batch_alter_table("run") as batch:
        for name, _ in reversed(_RUN_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table("hardware") as batch:
        batch.drop_column("memory_gb")
