"""The store: writes records in one transaction per import, reads builds back as views."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from arena.dataset.codec import BaseModelInfo, Dataset
from arena.errors import ArenaError
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance, QualityRecord
from arena.store.db import make_engine, migrate, resolve_url
from arena.store.schema import (
    BaseModelRow,
    BenchResult,
    Build,
    Hardware,
    MetaRow,
    QualityScore,
)
from arena.store.views import BuildView

SEEDED_KEY = "bundled_dataset"


class Store:
    """A migrated database; `load` and `put_*` write, `builds` and `build` read."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, db: str | None = None, seed: bool = True) -> Store:
        """Open (creating and migrating as needed); seed the bundled dataset on first use."""
        url = resolve_url(db)
        try:
            store = cls(make_engine(url))
            migrate(store.engine)
            if seed and store.meta(SEEDED_KEY) is None:
                from arena.dataset import load_bundled

                ds = load_bundled()
                with store.session() as s:
                    store._load(s, ds)
                    store._set_meta(s, SEEDED_KEY, ds.name)
        except (SQLAlchemyError, ImportError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            shown = make_url(url).render_as_string(hide_password=True)
            raise ArenaError(f"database {shown}: cannot open ({reason})") from exc
        return store

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    # ---- meta -------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        """A store-level fact, or None."""
        with Session(self.engine) as s:
            row = s.get(MetaRow, key)
            return row.value if row else None

    def _set_meta(self, s: Session, key: str, value: str) -> None:
        row = s.get(MetaRow, key)
        if row:
            row.value = value
        else:
            s.add(MetaRow(key=key, value=value))

    def datasets(self) -> dict[str, dict[str, Any]]:
        """Attribution of every dataset loaded, by name."""
        with Session(self.engine) as s:
            rows = s.scalars(select(MetaRow).where(MetaRow.key.like("dataset:%"))).all()
            return {r.key.removeprefix("dataset:"): json.loads(r.value) for r in rows}

    # ---- writes -----------------------------------------------------------------------------
    def load(self, ds: Dataset) -> None:
        """Write a whole dataset atomically (idempotent: same input, same rows)."""
        with self.session() as s:
            self._load(s, ds)

    def _load(self, s: Session, ds: Dataset) -> None:
        for hw in ds.hardware:
            self._put_hardware(s, hw)
        for bm in ds.base_models:
            self._put_base_model(s, bm)
        origin = f"dataset:{ds.name}" if ds.attribution else "user"
        for build, results in ds.builds:
            self._put_build(s, build, origin)
            for rec in results:
                self._put_result(s, build.id, rec)
        for q in ds.quality:
            self._put_quality(s, q)
        if ds.attribution:
            info = {"attribution": ds.attribution, "license": ds.license, "source": ds.source}
            self._set_meta(s, f"dataset:{ds.name}", json.dumps(info))

    def put_build(
        self, build: BuildInfo, hardware: HardwareInfo, results: list[BenchRecord]
    ) -> None:
        """Create or update one build and its results in one transaction."""
        with self.session() as s:
            self._put_hardware(s, hardware)
            if s.get(BaseModelRow, build.base_model) is None:
                self._put_base_model(s, BaseModelInfo(id=build.base_model))
            self._put_build(s, build, "user")
            for rec in results:
                self._put_result(s, build.id, rec)

    def put_results(self, build_id: str, results: list[BenchRecord]) -> None:
        """Add or replace results of an existing build."""
        with self.session() as s:
            if s.get(Build, build_id) is None:
                raise ArenaError(f"build '{build_id}' is not in the store")
            for rec in results:
                self._put_result(s, build_id, rec)

    def put_quality(self, records: list[QualityRecord]) -> None:
        """Add or replace quality numbers (keyed by base model, build, metric, kind)."""
        with self.session() as s:
            for q in records:
                if s.get(BaseModelRow, q.base_model) is None:
                    self._put_base_model(s, BaseModelInfo(id=q.base_model))
                self._put_quality(s, q)

    def delete_build(self, build_id: str) -> bool:
        """Remove a build and its results; False when absent."""
        with self.session() as s:
            row = s.get(Build, build_id)
            if row is None:
                return False
            s.execute(delete(BenchResult).where(BenchResult.build_id == build_id))
            s.delete(row)
            return True

    def _put_hardware(self, s: Session, hw: HardwareInfo) -> None:
        row = s.get(Hardware, hw.id)
        if row:
            row.name = hw.name
        else:
            s.add(Hardware(id=hw.id, name=hw.name))

    def _put_base_model(self, s: Session, bm: BaseModelInfo) -> None:
        row = s.get(BaseModelRow, bm.id)
        if row is None:
            s.add(BaseModelRow(**asdict(bm)))
            s.flush()
            return
        for key, value in asdict(bm).items():
            if value is not None:
                setattr(row, key, value)

    def _put_build(self, s: Session, b: BuildInfo, origin: str) -> None:
        if s.get(Hardware, b.hardware_id) is None:
            raise ArenaError(f"build '{b.id}': unknown hardware '{b.hardware_id}'")
        if s.get(BaseModelRow, b.base_model) is None:
            self._put_base_model(s, BaseModelInfo(id=b.base_model))
        values = asdict(b)
        values["base_model_id"] = values.pop("base_model")
        row = s.get(Build, b.id)
        if row is None:
            s.add(Build(**values, origin=origin))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            if origin != "user":
                row.origin = origin
        s.flush()

    def _put_result(self, s: Session, build_id: str, r: BenchRecord) -> None:
        values: dict[str, Any] = asdict(r)
        prov = values.pop("source")
        values.pop("bench_id")
        values.update(
            tool=prov["tool"],
            tool_version=prov["tool_version"],
            source_file=prov["file"],
            command=prov["command"],
            measured_at=prov["date"],
        )
        row = s.scalars(
            select(BenchResult).where(
                BenchResult.build_id == build_id, BenchResult.bench_id == r.bench_id
            )
        ).one_or_none()
        if row is None:
            s.add(BenchResult(build_id=build_id, bench_id=r.bench_id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)

    def _put_quality(self, s: Session, q: QualityRecord) -> None:
        build_id = q.build_id or ""
        row = s.scalars(
            select(QualityScore).where(
                QualityScore.base_model_id == q.base_model,
                QualityScore.build_id == build_id,
                QualityScore.metric == q.metric,
                QualityScore.kind == q.kind,
            )
        ).one_or_none()
        fields = dict(
            value=q.value, source=q.source, retrieved=q.retrieved, note=q.note, details=q.details
        )
        if row is None:
            s.add(
                QualityScore(
                    base_model_id=q.base_model,
                    build_id=build_id,
                    metric=q.metric,
                    kind=q.kind,
                    **fields,
                )
            )
        else:
            for key, value in fields.items():
                setattr(row, key, value)

    # ---- reads ------------------------------------------------------------------------------
    def builds(self) -> list[BuildView]:
        """Every build with results and quality, ordered by id."""
        with Session(self.engine) as s:
            builds = s.scalars(select(Build).order_by(Build.id)).all()
            return self._views(s, list(builds))

    def build(self, build_id: str) -> BuildView | None:
        """One build, or None."""
        with Session(self.engine) as s:
            row = s.get(Build, build_id)
            return self._views(s, [row])[0] if row else None

    def base_model(self, base_id: str) -> BaseModelInfo | None:
        """Curated facts of one base model, or None."""
        with Session(self.engine) as s:
            b = s.get(BaseModelRow, base_id)
            if b is None:
                return None
            return BaseModelInfo(
                id=b.id,
                vendor=b.vendor,
                architecture=b.architecture,
                arch_note=b.arch_note,
                params_total_b=b.params_total_b,
                params_active_b=b.params_active_b,
                card_url=b.card_url,
            )

    def build_ids(self) -> list[str]:
        """All build ids, sorted."""
        with Session(self.engine) as s:
            return list(s.scalars(select(Build.id).order_by(Build.id)))

    def _views(self, s: Session, builds: list[Build]) -> list[BuildView]:
        ids = [b.id for b in builds]
        hw = {h.id: HardwareInfo(h.id, h.name) for h in s.scalars(select(Hardware))}
        bases = {
            b.id: BaseModelInfo(
                id=b.id,
                vendor=b.vendor,
                architecture=b.architecture,
                arch_note=b.arch_note,
                params_total_b=b.params_total_b,
                params_active_b=b.params_active_b,
                card_url=b.card_url,
            )
            for b in s.scalars(select(BaseModelRow))
        }
        results: dict[str, dict[str, BenchRecord]] = {i: {} for i in ids}
        for r in s.scalars(select(BenchResult).where(BenchResult.build_id.in_(ids))):
            results[r.build_id][r.bench_id] = _record(r)
        quality: dict[str, list[QualityRecord]] = {}
        for q in s.scalars(select(QualityScore).order_by(QualityScore.metric)):
            quality.setdefault(q.base_model_id, []).append(
                QualityRecord(
                    base_model=q.base_model_id,
                    metric=q.metric,
                    value=q.value,
                    source=q.source,
                    retrieved=q.retrieved,
                    kind=q.kind,  # type: ignore[arg-type]
                    build_id=q.build_id or None,
                    note=q.note,
                    details=dict(q.details) if q.details else None,
                )
            )
        views = []
        for b in builds:
            base = bases.get(b.base_model_id)
            info = BuildInfo(
                id=b.id,
                name=b.name,
                base_model=b.base_model_id,
                precision=b.precision,
                hardware_id=b.hardware_id,
                checkpoint=b.checkpoint,
                vendor=b.vendor or (base.vendor if base else None),
                architecture=b.architecture or (base.architecture if base else None),
                params_total_b=b.params_total_b,
                params_active_b=b.params_active_b,
                engine=b.engine,
                engine_version=b.engine_version,
                server_config=dict(b.server_config or {}),
                vram_gb=b.vram_gb,
                vram_method=b.vram_method,  # type: ignore[arg-type]
                vram_source=b.vram_source,
                run_date=b.run_date,
            )
            mine = [q for q in quality.get(b.base_model_id, []) if q.build_id in (None, b.id)]
            views.append(
                BuildView(
                    build=info,
                    hardware=hw[b.hardware_id],
                    base=bases.get(b.base_model_id),
                    origin=b.origin,
                    results=results[b.id],
                    quality=mine,
                )
            )
        return views


def _record(r: BenchResult) -> BenchRecord:
    return BenchRecord(
        bench_id=r.bench_id,
        tps_per_user=r.tps_per_user,
        tps_total=r.tps_total,
        ttft_p50_ms=r.ttft_p50_ms,
        ttft_p95_ms=r.ttft_p95_ms,
        ttft_mean_ms=r.ttft_mean_ms,
        std=r.std,
        source=Provenance(
            tool=r.tool,
            tool_version=r.tool_version,
            file=r.source_file,
            command=r.command,
            date=r.measured_at,
        ),
        rows=list(r.rows or []),
        distribution=dict(r.distribution or {}),
        completed=r.completed,
        failed=r.failed,
        notes=list(r.notes or []),
    )
