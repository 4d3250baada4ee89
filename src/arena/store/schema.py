"""Tables of the results store; portable SQL types only (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative root."""


class Hardware(Base):
    """A box builds run on."""

    __tablename__ = "hardware"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    memory_gb: Mapped[float | None] = mapped_column(Float)  # GPU (or unified) memory


class BaseModelRow(Base):
    """The unquantised model a build serves (HF id); quality numbers attach here."""

    __tablename__ = "base_model"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    vendor: Mapped[str | None] = mapped_column(String(100))
    architecture: Mapped[str | None] = mapped_column(String(20))
    arch_note: Mapped[str | None] = mapped_column(Text)
    params_total_b: Mapped[float | None] = mapped_column(Float)
    params_active_b: Mapped[float | None] = mapped_column(Float)
    card_url: Mapped[str | None] = mapped_column(Text)


class Build(Base):
    """The ranked unit: model x precision x engine config on one hardware."""

    __tablename__ = "build"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    base_model_id: Mapped[str] = mapped_column(ForeignKey("base_model.id"))
    checkpoint: Mapped[str | None] = mapped_column(String(300))
    vendor: Mapped[str | None] = mapped_column(String(100))
    architecture: Mapped[str | None] = mapped_column(String(20))
    precision: Mapped[str] = mapped_column(String(40))
    engine: Mapped[str | None] = mapped_column(String(60))
    engine_version: Mapped[str | None] = mapped_column(String(100))
    server_config: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    hardware_id: Mapped[str] = mapped_column(ForeignKey("hardware.id"))
    params_total_b: Mapped[float | None] = mapped_column(Float)
    params_active_b: Mapped[float | None] = mapped_column(Float)
    vram_gb: Mapped[float | None] = mapped_column(Float)
    vram_method: Mapped[str | None] = mapped_column(String(20))
    vram_source: Mapped[str | None] = mapped_column(Text)
    run_date: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(200), default="user")


class QualityScore(Base):
    """One quality number; build_id '' means it belongs to the base model."""

    __tablename__ = "quality_score"
    __table_args__ = (UniqueConstraint("base_model_id", "build_id", "metric", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    base_model_id: Mapped[str] = mapped_column(ForeignKey("base_model.id"))
    build_id: Mapped[str] = mapped_column(String(120), default="")
    metric: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(Text)
    retrieved: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)


class RunRow(Base):
    """One measurement of a build under one suite; rows are added, never rewritten."""

    __tablename__ = "run"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    build_id: Mapped[str] = mapped_column(ForeignKey("build.id", ondelete="CASCADE"), index=True)
    suite: Mapped[str] = mapped_column(String(40))
    date: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[str] = mapped_column(String(40))
    hardware_id: Mapped[str] = mapped_column(ForeignKey("hardware.id"))
    engine: Mapped[str | None] = mapped_column(String(60))
    engine_version: Mapped[str | None] = mapped_column(String(100))
    server_config: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    tool_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    environment: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_dir: Mapped[str | None] = mapped_column(Text)
    command: Mapped[str | None] = mapped_column(Text)
    sanity: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    vram_gb: Mapped[float | None] = mapped_column(Float)
    vram_method: Mapped[str | None] = mapped_column(String(20))
    vram_source: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(200), default="user")
    # board fields (migration 0005): who sent the run, a content digest that makes a resent
    # run the same run, and a retraction that hides it from ranking but keeps it in history
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    retracted_at: Mapped[str | None] = mapped_column(String(40))
    retract_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_run_content_hash", "content_hash", unique=True),)


class BenchResult(Base):
    """Headline and full detail of one bench within one run, with provenance."""

    __tablename__ = "bench_result"
    __table_args__ = (UniqueConstraint("run_id", "bench_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    build_id: Mapped[str] = mapped_column(ForeignKey("build.id", ondelete="CASCADE"))
    bench_id: Mapped[str] = mapped_column(String(80))
    tps_per_user: Mapped[float | None] = mapped_column(Float)
    tps_total: Mapped[float | None] = mapped_column(Float)
    ttft_p50_ms: Mapped[float | None] = mapped_column(Float)
    ttft_p95_ms: Mapped[float | None] = mapped_column(Float)
    ttft_mean_ms: Mapped[float | None] = mapped_column(Float)
    std: Mapped[float | None] = mapped_column(Float)
    rows: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    distribution: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    completed: Mapped[int | None] = mapped_column(Integer)
    failed: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # arena.verdicts.Flag values; the server default matches migration 0003
    flags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    tool: Mapped[str] = mapped_column(String(60))
    tool_version: Mapped[str | None] = mapped_column(String(60))
    source_file: Mapped[str | None] = mapped_column(Text)
    command: Mapped[str | None] = mapped_column(Text)
    measured_at: Mapped[str | None] = mapped_column(String(40))
    energy: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)


class MetaRow(Base):
    """Store-level facts, e.g. which bundled dataset was loaded."""

    __tablename__ = "arena_meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class BoardToken(Base):
    """A host's write token for a board; only its SHA-256 is kept."""

    __tablename__ = "board_token"
    host: Mapped[str] = mapped_column(String(100), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40))


class OutboxRow(Base):
    """A local run still to be delivered to a board (`target` URL); kept until the board has it."""

    __tablename__ = "outbox"
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), primary_key=True)
    target: Mapped[str] = mapped_column(String(500), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[str | None] = mapped_column(String(40))
    board_run_id: Mapped[str | None] = mapped_column(String(64))  # the id the board answered


class DataVersion(Base):
    """One row whose counter every write raises, so each server worker sees new data at once."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
