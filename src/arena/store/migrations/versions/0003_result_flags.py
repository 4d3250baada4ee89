"""Bench results keep their verdicts (suspect, unreliable) as flags beside the human notes."""
# Revision ID: 0003
# Revises: 0002

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The only time notes are read by code: results stored before flags existed said their verdict
# as a note starting with the flag's name ("unreliable: 12/40 requests failed", "suspect: ...").
_NOTE_FLAGS = ("suspect", "unreliable")


def _flags(notes: object) -> list[str]:
    if isinstance(notes, str):
        notes = json.loads(notes)
    if not isinstance(notes, list):
        return []
    return [f for f in _NOTE_FLAGS if any(str(n).startswith(f + ":") for n in notes)]


def upgrade() -> None:
    """Add bench_result.flags and fill it from the verdict notes of existing results."""
    with op.batch_alter_table("bench_result") as batch:
        batch.add_column(sa.Column("flags", sa.JSON(), nullable=False, server_default="[]"))
    table = sa.table(
        "bench_result", sa.column("id", sa.Integer()), sa.column("notes", sa.JSON()),
        sa.column("flags", sa.JSON()),
    )  # fmt: skip
    conn = op.get_bind()
    for row_id, notes in conn.execute(sa.select(table.c.id, table.c.notes)).all():
        flags = _flags(notes)
        if flags:
            conn.execute(sa.update(table).where(table.c.id == row_id).values(flags=flags))


def downgrade() -> None:
    """Drop bench_result.flags (the notes still say the verdict)."""
    with op.batch_alter_table("bench_result") as batch:
        batch.drop_column("flags")
