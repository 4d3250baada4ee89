"""Initial schema: hardware, base models, builds, quality scores, bench results, meta."""
# Revision ID: 0001
# Revises:

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create all tables."""
    op.create_table(
        "hardware",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "base_model",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("vendor", sa.String(100)),
        sa.Column("architecture", sa.String(20)),
        sa.Column("arch_note", sa.Text()),
        sa.Column("params_total_b", sa.Float()),
        sa.Column("params_active_b", sa.Float()),
        sa.Column("card_url", sa.Text()),
    )
    op.create_table(
        "build",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("base_model_id", sa.String(200), sa.ForeignKey("base_model.id"), nullable=False),
        sa.Column("checkpoint", sa.String(300)),
        sa.Column("vendor", sa.String(100)),
        sa.Column("architecture", sa.String(20)),
        sa.Column("precision", sa.String(40), nullable=False),
        sa.Column("engine", sa.String(60)),
        sa.Column("engine_version", sa.String(100)),
        sa.Column("server_config", sa.JSON(), nullable=False),
        sa.Column("hardware_id", sa.String(64), sa.ForeignKey("hardware.id"), nullable=False),
        sa.Column("params_total_b", sa.Float()),
        sa.Column("params_active_b", sa.Float()),
        sa.Column("vram_gb", sa.Float()),
        sa.Column("vram_method", sa.String(20)),
        sa.Column("vram_source", sa.Text()),
        sa.Column("run_date", sa.String(40)),
        sa.Column("origin", sa.String(200), nullable=False),
    )
    op.create_table(
        "quality_score",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("base_model_id", sa.String(200), sa.ForeignKey("base_model.id"), nullable=False),
        sa.Column("build_id", sa.String(120), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("retrieved", sa.String(40)),
        sa.Column("note", sa.Text()),
        sa.UniqueConstraint("base_model_id", "build_id", "metric", "kind"),
    )
    op.create_table(
        "bench_result",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "build_id",
            sa.String(120),
            sa.ForeignKey("build.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("bench_id", sa.String(80), nullable=False),
        sa.Column("tps_per_user", sa.Float()),
        sa.Column("tps_total", sa.Float()),
        sa.Column("ttft_p50_ms", sa.Float()),
        sa.Column("ttft_p95_ms", sa.Float()),
        sa.Column("ttft_mean_ms", sa.Float()),
        sa.Column("std", sa.Float()),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("distribution", sa.JSON(), nullable=False),
        sa.Column("completed", sa.Integer()),
        sa.Column("failed", sa.Integer()),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("tool", sa.String(60), nullable=False),
        sa.Column("tool_version", sa.String(60)),
        sa.Column("source_file", sa.Text()),
        sa.Column("command", sa.Text()),
        sa.Column("measured_at", sa.String(40)),
        sa.UniqueConstraint("build_id", "bench_id"),
    )
    op.create_table(
        "arena_meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop all tables."""
    for table in ("arena_meta", "bench_result", "quality_score", "build", "base_model", "hardware"):
        op.drop_table(table)
