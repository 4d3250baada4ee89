"""The store: writes records in one transaction per import, reads builds back as views."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import Engine, delete, distinct, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from arena.errors import ArenaError
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    BuildRun,
    Dataset,
    HardwareInfo,
    QualityRecord,
    RunInfo,
)
from arena.store import writes
from arena.store.db import make_engine, migrate, resolve_url
from arena.store.reads import base_model_info, build_views, run_views
from arena.store.schema import (
    BaseModelRow,
    BenchResult,
    Build,
    DataVersion,
    Hardware,
    MetaRow,
    RunRow,
)
from arena.store.versioning import WROTE, track_writes
from arena.store.views import BuildView, DatasetInfo

SEEDED_KEY = "bundled_dataset"


class Store:
    """A migrated database; `load` and `put_*` write, `builds` and `build` read."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(
        cls, db: str | None = None, seed: Mapping[str, Callable[[], Dataset]] | None = None
    ) -> Store:
        """Open (creating and migrating as needed); load each `seed` dataset once, by name."""
        url = resolve_url(db)
        try:
            store = cls(make_engine(url))
            migrate(store.engine)
            seeded = [n for n in (store.meta(SEEDED_KEY) or "").split(",") if n]
            for name, load in (seed or {}).items():
                if name in seeded:
                    continue
                ds = load()
                seeded.append(name)
                with store.session() as s:
                    writes.load_dataset(s, ds)
                    writes.set_meta(s, SEEDED_KEY, ",".join(seeded))
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
        """One transaction: committed on success, rolled back on any error; when it wrote
        rows it also raises the data version, so every server worker sees the change."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            track_writes(s)
            yield s
            s.flush()
            if s.info.get(WROTE):
                s.execute(
                    update(DataVersion)
                    .where(DataVersion.id == 1)
                    .values(version=DataVersion.version + 1)
                )

    def data_version(self) -> int:
        """The counter every committed write raises (0 for a store never written)."""
        with self.engine.connect() as conn:
            found = conn.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar()
        return int(found or 0)

    # ---- meta -------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        """A store-level fact, or None."""
        with Session(self.engine) as s:
            row = s.get(MetaRow, key)
            return row.value if row else None

    def datasets(self) -> dict[str, DatasetInfo]:
        """Attribution of every dataset loaded, by name."""
        with Session(self.engine) as s:
            rows = s.scalars(select(MetaRow).where(MetaRow.key.like("dataset:%"))).all()
            return {r.key.removeprefix("dataset:"): json.loads(r.value) for r in rows}

    # ---- writes -----------------------------------------------------------------------------
    def load(self, ds: Dataset) -> None:
        """Write a whole dataset atomically (idempotent: same input, same rows)."""
        with self.session() as s:
            writes.load_dataset(s, ds)

    def put_build(
        self,
        build: BuildInfo,
        hardware: HardwareInfo,
        results: Sequence[BenchRecord] = (),
        run: RunInfo | None = None,
    ) -> bool:
        """Create or update a build and add `run` with its results (results without a run get
        one named by their content); False when that run was stored already (nothing changed)."""
        with self.session() as s:
            writes.put_hardware(s, hardware)
            writes.put_build(s, build, "user")
            if run is None and not results:
                return True
            run = run or writes.derived_run(build, list(results))
            return writes.put_run(s, build.id, run, list(results))

    def add_results(self, run_id: str, results: Sequence[BenchRecord]) -> None:
        """Add benches to a stored run as they finish (one bench's result replaced by its own
        later measurement within the same run)."""
        with self.session() as s:
            row = s.get(RunRow, run_id)
            if row is None:
                raise ArenaError(f"run '{run_id}' is not in the store")
            for rec in results:
                writes.put_result(s, row.build_id, run_id, rec)

    def put_quality(self, records: list[QualityRecord]) -> None:
        """Add or replace quality numbers (keyed by base model, build, metric, kind)."""
        with self.session() as s:
            for q in records:
                writes.put_quality(s, q)

    def delete_build(self, build_id: str) -> bool:
        """Remove a build and its results; False when absent."""
        with self.session() as s:
            row = s.get(Build, build_id)
            if row is None:
                return False
            s.execute(delete(BenchResult).where(BenchResult.build_id == build_id))
            s.execute(delete(RunRow).where(RunRow.build_id == build_id))
            s.delete(row)
            return True

    # ---- reads ------------------------------------------------------------------------------
    def builds(
        self, suite: str | None = None, hardware: str | None = None, full: bool = True
    ) -> list[BuildView]:
        """Every build with a run in `suite` (every build when None), ordered by id; with
        `hardware`, only builds with a run on it that is not retracted, each seen through
        that hardware's runs alone; `full` False reads results without their raw rows and
        distribution (what a ranking needs, a fraction of the bytes)."""
        with Session(self.engine) as s:
            query = select(Build).order_by(Build.id)
            runs = select(RunRow.build_id)
            if suite is not None:
                runs = runs.where(RunRow.suite == suite)
            if hardware is not None:
                runs = runs.where(RunRow.hardware_id == hardware, RunRow.retracted_at.is_(None))
            scope = None
            if suite is not None or hardware is not None:
                query = query.where(Build.id.in_(runs))
                scope = runs
            rows = list(s.scalars(query).all())
            return build_views(s, rows, suite, hardware=hardware, scope=scope, full=full)

    def build(
        self,
        build_id: str,
        suite: str | None = None,
        run: str | None = None,
        hardware: str | None = None,
    ) -> BuildView | None:
        """One build as seen in a suite (all when None), on one hardware (all when None) or in
        one of its runs; None if absent. Its `runs` list every run on every hardware."""
        with Session(self.engine) as s:
            row = s.get(Build, build_id)
            return build_views(s, [row], suite, run, hardware)[0] if row else None

    def runs(self, build_id: str | None = None) -> list[BuildRun]:
        """Every stored run (of one build) with all its results, oldest first."""
        with Session(self.engine) as s:
            ids = [build_id] if build_id is not None else list(s.scalars(select(Build.id)))
            order = list(s.scalars(select(Build.id).where(Build.id.in_(ids))))
            runs, held = run_views(s, order)
        return [
            BuildRun(b, rv.run, [held[rv.run.id][bench] for bench in rv.benches])
            for b in order
            for rv in reversed(runs[b])
        ]

    def suites(self) -> list[str]:
        """Every suite some stored run belongs to, sorted."""
        with Session(self.engine) as s:
            return sorted(s.scalars(select(RunRow.suite).distinct()))

    def suite_sizes(self) -> dict[str, int]:
        """How many builds have a run in each suite."""
        with Session(self.engine) as s:
            query = select(RunRow.suite, func.count(distinct(RunRow.build_id))).group_by(
                RunRow.suite
            )
            return {suite: int(n) for suite, n in s.execute(query)}

    def hardware_sizes(self) -> dict[str, dict[str, int]]:
        """Per suite, how many builds have a run (not retracted) on each hardware."""
        with Session(self.engine) as s:
            query = (
                select(RunRow.suite, RunRow.hardware_id, func.count(distinct(RunRow.build_id)))
                .where(RunRow.retracted_at.is_(None))
                .group_by(RunRow.suite, RunRow.hardware_id)
            )
            out: dict[str, dict[str, int]] = {}
            for suite, hw, n in s.execute(query):
                out.setdefault(suite, {})[hw] = int(n)
            return out

    def hardware_names(self) -> dict[str, str]:
        """Every stored hardware's display name, by id."""
        with Session(self.engine) as s:
            return {h.id: h.name for h in s.scalars(select(Hardware))}

    def run_ids(self, build_id: str | None = None) -> list[str]:
        """Ids of the stored runs (of one build), sorted."""
        with Session(self.engine) as s:
            query = select(RunRow.id).order_by(RunRow.id)
            if build_id is not None:
                query = query.where(RunRow.build_id == build_id)
            return list(s.scalars(query))

    def base_model(self, base_id: str) -> BaseModelInfo | None:
        """Curated facts of one base model, or None."""
        with Session(self.engine) as s:
            b = s.get(BaseModelRow, base_id)
            if b is None:
                return None
            return base_model_info(b)

    def build_ids(self) -> list[str]:
        """All build ids, sorted."""
        with Session(self.engine) as s:
            return list(s.scalars(select(Build.id).order_by(Build.id)))
