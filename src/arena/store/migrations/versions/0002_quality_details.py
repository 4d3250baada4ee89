"""Quality scores keep measurement details (protocol, sample size, CI, temperature, date)."""
# Revision ID: 0002
# Revises: 0001

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add quality_score.details (JSON, nullable)."""
    with op.batch_alter_table("quality_score") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop quality_score.details."""
    with op.batch_alter_table("quality_score") as batch:
        batch.drop_column("details")
