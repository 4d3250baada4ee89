"""Read-side cache over the store so each request does not reload and re-rank every build."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict

from arena.catalog import Catalog, load_catalog
from arena.catalog.types import Bench, Bucket, Weights
from arena.service import (
    BuildDetail,
    Prepared,
    build_detail,
    leaderboard,
    leaderboard_text,
    prepare,
)
from arena.store import BuildView, Store
from arena.store.views import DatasetInfo
from arena.web.shapes import BenchInfo, BucketInfo, PresetInfo, Summary

log = logging.getLogger(__name__)
TTL_S = 5.0  # non-SQLite databases: re-read at most this often
MAX_BOARDS = 64


class BoardData:
    """Builds, rankings and catalog for the web app; reloaded when the database file changes."""

    def __init__(self, store: Store, catalog: Catalog | None = None) -> None:
        self.store = store
        self.catalog = catalog or load_catalog()
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._views: list[BuildView] = []
        self._by_id: dict[str, BuildView] = {}
        self._datasets: dict[str, DatasetInfo] = {}
        self._boards: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._prepared: Prepared | None = None
        self._heads: dict[tuple[str, str, str], str] = {}

    def _fingerprint(self) -> tuple[object, ...]:
        """Cheap change detector: SQLite file stats, else a time slot."""
        url = self.store.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = str(url.database)
            parts: list[object] = []
            for p in (path, path + "-wal"):
                try:
                    st = os.stat(p)
                    parts += [st.st_mtime_ns, st.st_size]
                except FileNotFoundError:
                    parts += [None, None]
            return tuple(parts)
        return (int(time.monotonic() // TTL_S),)

    def refresh(self) -> None:
        """Reload builds when the database changed since the last request."""
        key = self._fingerprint()
        if key == self._key:
            return
        with self._lock:
            if key == self._key:
                return
            views = self.store.builds()
            self._views = views
            self._by_id = {v.build.id: v for v in views}
            self._datasets = self.store.datasets()
            self._prepared = prepare(views, self.catalog)
            self._heads = {}
            self._boards.clear()
            self._key = key

    def warm(self) -> None:
        """Load the builds and rank every preset x bucket once, so first visits are cached."""
        try:
            for preset in self.catalog.presets:
                for bucket in self.catalog.buckets:
                    self.board_bytes(preset, bucket, None)
        except Exception as exc:  # a failed warm-up only costs speed; requests report errors
            log.warning("cache warm-up failed: %s", exc)

    def views(self) -> list[BuildView]:
        """Every build, current."""
        self.refresh()
        return self._views

    def board_bytes(self, preset: str, bucket: str, weights: Weights | None) -> bytes:
        """`leaderboard_json` as UTF-8 JSON, memoised per view of the current data."""
        self.refresh()
        wkey = None if weights is None else astuple3(weights)
        with self._lock:
            data_key, views, datasets = self._key, self._views, self._datasets
            prepared, heads = self._prepared, self._heads
            key = (data_key, preset, bucket, wkey)
            cached = self._boards.get(key)
            if cached is not None:
                self._boards.move_to_end(key)
                return cached
        lb = leaderboard(views, self.catalog, preset, bucket, weights, datasets, prepared=prepared)
        body = leaderboard_text(lb, heads).encode("utf-8")
        with self._lock:
            self._boards[key] = body
            while len(self._boards) > MAX_BOARDS:
                self._boards.popitem(last=False)
        return body

    def detail(self, build_id: str) -> BuildDetail | None:
        """`build_detail` of one build, or None when unknown."""
        self.refresh()
        view = self._by_id.get(build_id)
        return None if view is None else build_detail(view, self.catalog)

    def build_ids(self) -> list[str]:
        """All build ids, sorted."""
        self.refresh()
        return sorted(self._by_id)

    def summary(self) -> Summary:
        """Headline facts: counts, hardware, datasets, latest run."""
        views = self.views()
        hardware: dict[str, str] = {v.hardware.id: v.hardware.name for v in views}
        dates = [v.build.run_date for v in views if v.build.run_date]
        return {
            "builds": len(views),
            "base_models": len({v.build.base_model for v in views}),
            "hardware": [
                {"id": k, "name": name, "short": name.split(" · ")[0]}
                for k, name in sorted(hardware.items())
            ],
            "benches_total": len(self.catalog.benches),
            "latest_run": max(dates) if dates else None,
            "datasets": self._datasets,
        }

    def presets(self) -> list[PresetInfo]:
        """Presets as data: weights, benches, TTFT bench."""
        return [
            {
                "id": p.id,
                "title": p.title,
                "weights": {
                    "quality": p.quality,
                    "throughput": p.throughput,
                    "efficiency": p.efficiency,
                },
                "benches": list(p.benches),
                "ttft_bench": p.ttft_bench,
            }
            for p in self.catalog.presets.values()
        ]

    def benches(self) -> list[BenchInfo]:
        """Bench definitions as data."""
        return [bench_info(b) for b in self.catalog.benches.values()]

    def buckets(self) -> list[BucketInfo]:
        """Buckets (cohorts) as data."""
        return [bucket_info(b) for b in self.catalog.buckets.values()]


def astuple3(w: Weights) -> tuple[float, float, float]:
    """Hashable weights."""
    return (w.quality, w.throughput, w.efficiency)


def bench_info(b: Bench) -> BenchInfo:
    """A bench as the API shows it: all of its fields."""
    return {
        "id": b.id,
        "title": b.title,
        "mode": b.mode,
        "prompt_tokens": b.prompt_tokens,
        "output_tokens": b.output_tokens,
        "depth": b.depth,
        "concurrency": b.concurrency,
        "reference_concurrency": b.reference_concurrency,
        "reference_prompt_tokens": b.reference_prompt_tokens,
        "runs": b.runs,
        "request_rate": b.request_rate,
        "burstiness": b.burstiness,
        "num_prompts": b.num_prompts,
        "max_concurrency": b.max_concurrency,
        "range_ratio": b.range_ratio,
        "dataset": b.dataset,
        "seed": b.seed,
        "letter": b.letter,
        "extra_letters": b.extra_letters,
    }


def bucket_info(b: Bucket) -> BucketInfo:
    """A bucket as the API shows it: all of its fields."""
    return {
        "id": b.id,
        "title": b.title,
        "min_b": b.min_b,
        "max_b": b.max_b,
        "min_exclusive": b.min_exclusive,
        "max_inclusive": b.max_inclusive,
    }
