"""The store: writes records in one transaction per import, reads builds back as views."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from arena.errors import ArenaError
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    Dataset,
    HardwareInfo,
    QualityRecord,
)
from arena.store import writes
from arena.store.db import make_engine, migrate, resolve_url
from arena.store.reads import base_model_info, build_views
from arena.store.schema import (
    BaseModelRow,
    BenchResult,
    Build,
    MetaRow,
)
from arena.store.views import BuildView, DatasetInfo

SEEDED_KEY = "bundled_dataset"


class Store:
    """A migrated database; `load` and `put_*` write, `builds` and `build` read."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, db: str | None = None, seed: Callable[[], Dataset] | None = None) -> Store:
        """Open (creating and migrating as needed); load `seed()` once, on first use."""
        url = resolve_url(db)
        try:
            store = cls(make_engine(url))
            migrate(store.engine)
            if seed is not None and store.meta(SEEDED_KEY) is None:
                ds = seed()
                with store.session() as s:
                    writes.load_dataset(s, ds)
                    writes.set_meta(s, SEEDED_KEY, ds.name)
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
        self, build: BuildInfo, hardware: HardwareInfo, results: list[BenchRecord]
    ) -> None:
        """Create or update one build and its results in one transaction."""
        with self.session() as s:
            writes.put_hardware(s, hardware)
            writes.put_build(s, build, "user")
            for rec in results:
                writes.put_result(s, build.id, rec)

    def put_results(self, build_id: str, results: list[BenchRecord]) -> None:
        """Add or replace results of an existing build."""
        with self.session() as s:
            if s.get(Build, build_id) is None:
                raise ArenaError(f"build '{build_id}' is not in the store")
            for rec in results:
                writes.put_result(s, build_id, rec)

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
            s.delete(row)
            return True

    # ---- reads ------------------------------------------------------------------------------
    def builds(self) -> list[BuildView]:
        """Every build with results and quality, ordered by id."""
        with Session(self.engine) as s:
            builds = s.scalars(select(Build).order_by(Build.id)).all()
            return build_views(s, list(builds))

    def build(self, build_id: str) -> BuildView | None:
        """One build, or None."""
        with Session(self.engine) as s:
            row = s.get(Build, build_id)
            return build_views(s, [row])[0] if row else None

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
