"""Read-side cache over the store so each request does not reload and re-rank every build."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from arena.catalog import Catalog, load_catalog
from arena.catalog.types import Bench, Bucket, Weights
from arena.service import (
    BuildDetail,
    Prepared,
    detail,
    leaderboard,
    leaderboard_text,
    prepare,
    resolve_suite,
    suite_entries,
)
from arena.service.board import HeadKey
from arena.service.queries import hardware_ref
from arena.service.suites import bench_order, resolve_hardware, suite_order
from arena.store import BuildView, Store
from arena.store.views import DatasetInfo
from arena.web.shapes import BenchInfo, BucketInfo, PresetInfo, SuiteSummary, Summary

log = logging.getLogger(__name__)
MAX_BOARDS = 64
WARM_ALL_MAX = 2000  # builds in a suite up to which warm-up ranks every preset x bucket


@dataclass
class SuiteData:
    """One suite's builds and their scoring inputs, loaded on first use."""

    views: list[BuildView]
    by_id: dict[str, BuildView]
    prepared: Prepared
    heads: dict[HeadKey, str] = field(default_factory=dict)


class BoardData:
    """Builds, rankings and catalog for the web app, per suite and hardware; reloaded when the
    store's data version changes (every write raises it, whichever process made it)."""

    def __init__(self, store: Store, catalog: Catalog | None = None) -> None:
        self.store = store
        self.catalog = catalog or load_catalog()
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._sizes: dict[str, int] = {}
        self._hw_sizes: dict[str, dict[str, int]] = {}
        self._hw_names: dict[str, str] = {}
        self._ids: list[str] = []
        self._suites: dict[tuple[str, str | None], SuiteData] = {}
        self._datasets: dict[str, DatasetInfo] = {}
        self._boards: OrderedDict[tuple[object, ...], bytes] = OrderedDict()

    def _fingerprint(self) -> tuple[object, ...]:
        """Change detector: the store's data version (one one-row SELECT)."""
        return (self.store.data_version(),)

    def refresh(self) -> None:
        """Forget every suite's builds when the database changed since the last request."""
        key = self._fingerprint()
        if key == self._key:
            return
        with self._lock:
            if key == self._key:
                return
            self._sizes = self.store.suite_sizes()
            self._hw_sizes = self.store.hardware_sizes()
            self._hw_names = self.store.hardware_names()
            self._ids = self.store.build_ids()
            self._datasets = self.store.datasets()
            self._suites = {}
            self._boards.clear()
            self._key = key

    def suite(self, suite: str | None) -> str | None:
        """The suite asked for, else the newest catalog suite with data; unknown is an error."""
        self.refresh()
        return resolve_suite(self.catalog, self._sizes, suite)

    def suite_ids(self) -> list[str]:
        """Every suite a request may name: the catalog's and those only the store has."""
        self.refresh()
        return suite_order(self.catalog, self._sizes)

    def hardware(self, suite: str | None, hardware: str | None) -> str | None:
        """The hardware asked for in a suite, else the one with the most builds there; an id
        without data in the suite is an error naming the valid ones."""
        self.refresh()
        return resolve_hardware(self._hw_sizes.get(suite or "", {}), hardware)

    def hardware_ids(self, suite: str | None) -> list[str]:
        """The hardware with data in a suite (a request may name these)."""
        self.refresh()
        return sorted(self._hw_sizes.get(suite or "", {}))

    def hardware_names(self) -> dict[str, str]:
        """Every stored hardware's name, by id."""
        self.refresh()
        return self._hw_names

    def _suite_data(self, suite: str, hardware: str | None = None) -> SuiteData:
        """One suite's builds on one hardware, loaded once per version of the data."""
        with self._lock:
            key, found = self._key, self._suites.get((suite, hardware))
        if found is not None:
            return found
        views = self.store.builds(suite, hardware, full=False)  # rankings need no raw rows
        loaded = SuiteData(
            views, {v.build.id: v for v in views}, prepare(views, self.catalog, suite=suite)
        )
        with self._lock:
            if key != self._key:  # the data changed while loading: use it once, keep nothing
                return loaded
            return self._suites.setdefault((suite, hardware), loaded)

    def warm(self) -> None:
        """Load the builds and rank every suite x preset x bucket once, so first visits are
        cached; a suite of more than WARM_ALL_MAX builds gets its default view only (ranking
        10,000 builds takes seconds per view, and a worker serves nothing until warm)."""
        try:
            self.refresh()
            for suite in [s for s in self.suite_ids() if self._sizes.get(s)]:
                if not self._hw_sizes.get(suite):
                    continue
                if self._sizes[suite] > WARM_ALL_MAX:
                    self.board_bytes("aggregate", "all", None, suite)
                    continue
                for preset in self.catalog.presets:
                    for bucket in self.catalog.buckets:
                        self.board_bytes(preset, bucket, None, suite)
        except Exception as exc:  # a failed warm-up only costs speed; requests report errors
            log.warning("cache warm-up failed: %s", exc)

    def views(self, suite: str | None = None, hardware: str | None = None) -> list[BuildView]:
        """Every build of a suite (default: the newest with data) on one hardware (default: the
        one with the most builds), current."""
        chosen = self.suite(suite)
        if chosen is None:
            return []
        return self._suite_data(chosen, self.hardware(chosen, hardware)).views

    def board_bytes(
        self,
        preset: str,
        bucket: str,
        weights: Weights | None,
        suite: str | None = None,
        max_vram_gb: float | None = None,
        hardware: str | None = None,
    ) -> bytes:
        """`leaderboard_json` of one suite on one hardware (within a memory budget when given)
        as UTF-8 JSON, memoised per view of the current data."""
        chosen = self.suite(suite)
        hw = self.hardware(chosen, hardware)
        wkey = None if weights is None else astuple3(weights)
        with self._lock:
            data_key, datasets, sizes = self._key, self._datasets, self._sizes
            hw_sizes, names = self._hw_sizes, self._hw_names
            key = (data_key, chosen, hw, preset, bucket, wkey, max_vram_gb)
            cached = self._boards.get(key)
            if cached is not None:
                self._boards.move_to_end(key)
                return cached
        data = self._suite_data(chosen, hw) if chosen is not None else None
        lb = leaderboard(
            data.views if data else [],
            self.catalog,
            preset,
            bucket,
            weights,
            datasets,
            prepared=data.prepared if data else None,
            suite=chosen,
            suites=suite_entries(self.catalog, sizes, hw_sizes, names),
            max_vram_gb=max_vram_gb,
            hardware=hardware_ref(hw, names),
        )
        body = leaderboard_text(lb, data.heads if data else {}).encode("utf-8")
        with self._lock:
            self._boards[key] = body
            while len(self._boards) > MAX_BOARDS:
                self._boards.popitem(last=False)
        return body

    def detail(
        self,
        build_id: str,
        suite: str | None = None,
        run: str | None = None,
        hardware: str | None = None,
    ) -> BuildDetail | None:
        """`build_detail` of one build in a suite (on one hardware) or run, or None when
        unknown."""
        self.refresh()
        if build_id not in self._ids:
            return None
        # read from the store: the cached views hold no raw rows, and one build reads fast
        return detail(self.store, self.catalog, build_id, suite, run, hardware)

    def build_ids(self) -> list[str]:
        """All build ids, sorted."""
        self.refresh()
        return self._ids

    def summary(self) -> Summary:
        """Headline facts: counts, hardware, datasets, the suites with data and the default."""
        default = self.suite(None)
        suites: list[SuiteSummary] = []
        hardware: dict[str, str] = {}
        models: set[str] = set()
        for entry in suite_entries(self.catalog, self._sizes, self._hw_sizes, self._hw_names):
            hardware.update({h["id"]: h["name"] for h in entry["hardware"]})
            views = [
                v for h in entry["hardware"] for v in self._suite_data(entry["id"], h["id"]).views
            ]
            models.update(v.build.base_model for v in views)
            dates = [v.build.run_date for v in views if v.build.run_date]
            suites.append(
                {
                    **entry,
                    "benches": bench_order(self.catalog, entry["id"], ()),
                    "latest_run": max(dates) if dates else None,
                }
            )
        latest = [s["latest_run"] for s in suites if s["latest_run"]]
        return {
            "builds": len(self._ids),
            "base_models": len(models),
            "hardware": [
                {"id": k, "name": name, "short": name.split(" · ")[0]}
                for k, name in sorted(hardware.items())
            ],
            "benches_total": len(self.catalog.benches),
            "latest_run": max(latest) if latest else None,
            "datasets": self._datasets,
            "suite": default,
            "suites": suites,
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
                "measure": p.measure,
            }
            for p in self.catalog.presets.values()
        ]

    def benches(self, suite: str | None = None) -> list[BenchInfo]:
        """Bench definitions as data: all, or one suite's in its order (those the catalog
        defines)."""
        if suite is None:
            return [bench_info(b) for b in self.catalog.benches.values()]
        self.suite(suite)  # an unknown id is an error
        ids = bench_order(self.catalog, suite, ())
        return [bench_info(self.catalog.benches[b]) for b in ids if b in self.catalog.benches]

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
        "request_rates": b.request_rates,
        "step_seconds": b.step_seconds,
        "min_step_prompts": b.min_step_prompts,
        "ttft_p95_limits_ms": b.ttft_p95_limits_ms,
        "stop_factor": b.stop_factor,
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
        "params_unknown": b.params_unknown,
    }
