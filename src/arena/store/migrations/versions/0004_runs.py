"""Runs: every measurement belongs to a run of a build; existing results become one run each."""
# Revision ID: 0004
# Revises: 0003

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Results stored before runs existed were measured with suite v1's benches (the only suite then).
LEGACY_SUITE = "v1"

_RESULT_COLUMNS = (
    "build_id", "bench_id", "tps_per_user", "tps_total", "ttft_p50_ms", "ttft_p95_ms",
    "ttft_mean_ms", "std", "rows", "distribution", "completed", "failed", "notes", "flags",
    "tool", "tool_version", "source_file", "command", "measured_at",
)  # fmt: skip


_JSON = {"server_config", "tool_versions", "environment", "source_files", "sanity", "rows",
         "distribution", "notes", "flags"}  # fmt: skip


def _columns(*names: str) -> list[sa.ColumnClause[object]]:
    """Table columns for core statements; JSON ones typed so values are (de)serialised."""
    return [sa.column(n, sa.JSON()) if n in _JSON else sa.column(n) for n in names]


def legacy_run_id(build_id: str) -> str:
    """The id of the run a pre-0004 build's results move into (stable across databases)."""
    return "m" + hashlib.sha256(build_id.encode()).hexdigest()[:20]


def _run_table() -> None:
    op.create_table(
        "run",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "build_id", sa.String(120), sa.ForeignKey("build.id", ondelete="CASCADE"),
            nullable=False, index=True,
        ),
        sa.Column("suite", sa.String(40), nullable=False),
        sa.Column("date", sa.String(40)),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("hardware_id", sa.String(64), sa.ForeignKey("hardware.id"), nullable=False),
        sa.Column("engine", sa.String(60)),
        sa.Column("engine_version", sa.String(100)),
        sa.Column("server_config", sa.JSON(), nullable=False),
        sa.Column("tool_versions", sa.JSON(), nullable=False),
        sa.Column("environment", sa.JSON(), nullable=False),
        sa.Column("source_files", sa.JSON(), nullable=False),
        sa.Column("source_dir", sa.Text()),
        sa.Column("command", sa.Text()),
        sa.Column("sanity", sa.JSON()),
        sa.Column("vram_gb", sa.Float()),
        sa.Column("vram_method", sa.String(20)),
        sa.Column("vram_source", sa.Text()),
        sa.Column("origin", sa.String(200), nullable=False),
    )  # fmt: skip


def _result_table(name: str) -> sa.Table:
    return op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.String(64), sa.ForeignKey("run.id", ondelete="CASCADE"),
            nullable=False, index=True,
        ),
        sa.Column(
            "build_id", sa.String(120), sa.ForeignKey("build.id", ondelete="CASCADE"),
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
        sa.Column("flags", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("tool", sa.String(60), nullable=False),
        sa.Column("tool_version", sa.String(60)),
        sa.Column("source_file", sa.Text()),
        sa.Column("command", sa.Text()),
        sa.Column("measured_at", sa.String(40)),
        sa.Column("energy", sa.JSON()),
        sa.UniqueConstraint("run_id", "bench_id"),
    )  # fmt: skip


def upgrade() -> None:
    """Create run, give every build with results one run, move results under their run."""
    _run_table()
    conn = op.get_bind()
    build = sa.table("build", *_columns(
        "id", "hardware_id", "engine", "engine_version", "server_config", "vram_gb",
        "vram_method", "vram_source", "run_date", "origin",
    ))  # fmt: skip
    run = sa.table("run", *_columns(
        "id", "build_id", "suite", "date", "recorded_at", "hardware_id", "engine",
        "engine_version", "server_config", "tool_versions", "environment", "source_files",
        "source_dir", "command", "sanity", "vram_gb", "vram_method", "vram_source", "origin",
    ))  # fmt: skip
    old = sa.table("bench_result", *_columns(*_RESULT_COLUMNS))
    with_results = set(conn.execute(sa.select(old.c.build_id).distinct()).scalars())
    now = datetime.now(UTC).isoformat()
    for b in conn.execute(sa.select(build)).mappings().all():
        if b["id"] not in with_results:
            continue
        conn.execute(
            sa.insert(run).values(
                id=legacy_run_id(b["id"]), build_id=b["id"], suite=LEGACY_SUITE,
                date=b["run_date"], recorded_at=now, hardware_id=b["hardware_id"],
                engine=b["engine"], engine_version=b["engine_version"],
                server_config=b["server_config"] or {}, tool_versions={}, environment={},
                source_files={}, source_dir=None, command=None, sanity=None,
                vram_gb=b["vram_gb"], vram_method=b["vram_method"],
                vram_source=b["vram_source"], origin=b["origin"],
            )
        )  # fmt: skip
    new = _result_table("bench_result_v4")
    for row in conn.execute(sa.select(old)).mappings().all():
        values = dict(row)
        conn.execute(sa.insert(new).values(run_id=legacy_run_id(values["build_id"]), **values))
    op.drop_table("bench_result")
    op.rename_table("bench_result_v4", "bench_result")


def downgrade() -> None:
    """Not supported: runs hold history the single-result layout cannot keep."""
    raise NotImplementedError("0004 cannot be downgraded: several runs per build do not fit 0003")
