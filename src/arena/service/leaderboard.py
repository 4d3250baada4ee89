"""Turn stored builds into scoring candidates and ranked, JSON-ready leaderboards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from arena.catalog.types import Catalog, CostConfig, Preset, Weights
from arena.errors import ArenaError
from arena.records import BenchRecord
from arena.scoring import Candidate, Cohort, QualityValue, Ranking, cohort, order, pick_quality
from arena.scoring.quality import DEFAULT_PREFERENCE
from arena.service.cost import per_mtok
from arena.service.shapes import HardwareRef, SanityShape
from arena.service.suites import SuiteEntry, suite_benches
from arena.service.trust import NO_TRUST, Trust, cohort_runs, trust
from arena.store.views import BuildView, DatasetInfo

RATE_SWEEP = "rate-sweep"  # the bench whose steps give a capacity per p95-TTFT limit
CAPACITY_MEASURES = {"capacity_rps_2s": 2000, "capacity_rps_5s": 5000, "capacity_rps_10s": 10000}
MAX_BUDGETS = 16  # memory budgets whose cohorts one Prepared keeps
NOT_CHECKED: SanityShape = {"verdict": "not-checked", "answer": None}


@dataclass(frozen=True)
class RowFacts:
    """What a row says beyond its scores: the run it shows, sanity, capacity and energy."""

    run_id: str | None
    sanity: SanityShape
    capacity_rps_5s: float | None
    joules_per_token: float | None
    energy_benches: int
    cost_per_mtok: float | None = None  # mean over the same benches, with the user's prices
    reproduced: bool = False
    hosts: int = 0


NO_FACTS = RowFacts(None, NOT_CHECKED, None, None, 0)


@dataclass(frozen=True)
class Leaderboard:
    """A ranking plus the context needed to show it honestly."""

    preset: str
    bucket: str
    ranking: Ranking
    attributions: list[str]
    latest_run: str | None
    vram_methods: dict[str, str | None]
    quality_kinds: dict[str, dict[str, str]]
    ttft_bench: str
    row_attribution: dict[str, str | None]
    suite: str | None = None
    suites: list[SuiteEntry] = field(default_factory=list)
    measure: str = "tps_per_user"
    benches: tuple[str, ...] = ()  # the preset's benches that the suite has
    facts: dict[str, RowFacts] = field(default_factory=dict)
    max_vram_gb: float | None = None  # the memory budget, when one was asked
    hidden_over_budget: int = 0  # builds of the bucket left out because their VRAM exceeds it
    unknown_vram_kept: int = 0  # builds kept under a budget although nobody knows their VRAM
    prices: CostConfig | None = None  # the user's [cost] table, when the config has one
    hardware: HardwareRef | None = None  # the cohort's hardware (None: no data)


def ttft_of(rec: BenchRecord) -> float | None:
    """p50 where the tool reports it (open loop), else the mean (llama-benchy)."""
    return rec.ttft_p50_ms if rec.ttft_p50_ms is not None else rec.ttft_mean_ms


def chosen_quality(
    view: BuildView, prefer: Mapping[str, Sequence[str]] | None = None
) -> dict[str, QualityValue]:
    """Per metric, the stored quality number the preference picks for this build."""
    prefer = prefer or {}
    return pick_quality(
        (QualityValue(q.metric, q.value, q.kind, q.build_id is not None) for q in view.quality),
        prefer.get("default", DEFAULT_PREFERENCE),
        {k: v for k, v in prefer.items() if k != "default"},
    )


def capacity_measures(rec: BenchRecord | None) -> dict[str, float]:
    """Offered requests/s at each p95-TTFT limit of a rate sweep's `distribution["capacity"]`:
    0 where the sweep ran but even its lowest rate missed the limit (measured, not absent)."""
    if rec is None:
        return {}
    by_limit = {
        c.get("ttft_p95_limit_ms"): c
        for c in rec.distribution.get("capacity") or []
        if isinstance(c, dict)
    }
    out: dict[str, float] = {}
    for name, limit in CAPACITY_MEASURES.items():
        entry = by_limit.get(limit)
        if entry is None:
            continue
        rps = entry.get("offered_rps")
        if isinstance(rps, int | float):
            out[name] = float(rps)
        elif entry.get("met") is False and rec.distribution.get("steps"):
            out[name] = 0.0
    return out


def candidate(view: BuildView, chosen: Mapping[str, QualityValue]) -> Candidate:
    """The scoring inputs of one build: chosen quality per metric, headline tok/s per bench,
    and the rate sweep's capacities."""
    tps = {b: r.tps_per_user for b, r in view.results.items() if r.tps_per_user is not None}
    ttft = {b: t for b, r in view.results.items() if (t := ttft_of(r)) is not None}
    return Candidate(
        id=view.build.id,
        name=view.build.name,
        precision=view.build.precision,
        params_total_b=view.build.params_total_b,
        vram_gb=view.build.vram_gb,
        quality={m: v.value for m, v in chosen.items()},
        tps=tps,
        ttft_ms=ttft,
        verdicts={b: tuple(str(f) for f in r.flags) for b, r in view.results.items() if r.flags},
        measures=capacity_measures(view.results.get(RATE_SWEEP)),
    )


def sanity_of(view: BuildView) -> SanityShape:
    """The sanity verdict of the run the view mostly shows; no check recorded = not checked."""
    s = view.run.sanity if view.run else None
    return NOT_CHECKED if s is None else {"verdict": s.verdict, "answer": s.answer}


def joules_of(view: BuildView) -> dict[str, float]:
    """Energy per output token per bench, where telemetry gave it."""
    return {
        b: j
        for b, r in view.results.items()
        if r.energy is not None and (j := r.energy.joules_per_output_token) is not None
    }


def costs_of(view: BuildView, prices: CostConfig | None) -> dict[str, float]:
    """Cost per million output tokens per bench, where telemetry gave a J/token (none without
    the user's prices)."""
    if prices is None:
        return {}
    return {b: c for b, r in view.results.items() if (c := per_mtok(prices, r.energy)) is not None}


@dataclass(frozen=True)
class Prepared:
    """Per-build scoring inputs of one set of views, reusable across presets and weights."""

    candidates: list[Candidate]
    sizes: dict[str, str | None]
    kinds: dict[str, dict[str, str]]
    methods: dict[str, str | None]
    origins: dict[str, str]
    dates: dict[str, str | None]
    suite: str | None = None
    run_ids: dict[str, str | None] = field(default_factory=dict)
    sanity: dict[str, SanityShape] = field(default_factory=dict)
    joules: dict[str, dict[str, float]] = field(default_factory=dict)
    costs: dict[str, dict[str, float]] = field(default_factory=dict)
    trust: dict[str, Trust] = field(default_factory=dict)
    cohorts: dict[tuple[str, str], Cohort] = field(default_factory=dict, repr=False)
    budgets: dict[float, Prepared] = field(default_factory=dict, repr=False)

    def within_budget(self, max_vram_gb: float) -> Prepared:
        """These builds less those whose known VRAM exceeds the budget (unknown VRAM stays), with
        a cohort cache of its own, so that Q, G and E are relative to what fits."""
        found = self.budgets.get(max_vram_gb)
        if found is None:
            kept = [c for c in self.candidates if c.vram_gb is None or c.vram_gb <= max_vram_gb]
            found = replace(self, candidates=kept, cohorts={}, budgets={})
            if len(self.budgets) >= MAX_BUDGETS:  # budgets come from URLs: keep the cache small
                self.budgets.clear()
            self.budgets[max_vram_gb] = found
        return found

    def preset(self, catalog: Catalog, preset: str) -> Preset:
        """The preset over the benches of the suite in view (all of its own for a suite the
        catalog does not define)."""
        p = catalog.presets[preset]
        benches = suite_benches(catalog, self.suite)
        return p if benches is None else p.within(benches)

    def cohort(self, catalog: Catalog, preset: str, bucket: str) -> Cohort:
        """The weight-independent ranking of one preset x bucket, computed once."""
        found = self.cohorts.get((preset, bucket))
        if found is None:
            found = cohort(
                self.candidates,
                self.preset(catalog, preset),
                catalog.buckets[bucket],
                self.sizes,
            )
            self.cohorts[(preset, bucket)] = found
        return found


def prepare(
    views: list[BuildView],
    catalog: Catalog,
    prefer: Mapping[str, Sequence[str]] | None = None,
    suite: str | None = None,
) -> Prepared:
    """Everything about the builds of one suite (the views' own when None) that does not
    depend on preset, bucket or weights."""
    merged = {**catalog.quality_prefer, **(prefer or {})}
    chosen = [chosen_quality(v, merged) for v in views]
    if suite is None:
        suite = next((v.suite for v in views if v.suite is not None), None)
    return Prepared(
        candidates=[candidate(v, c) for v, c in zip(views, chosen, strict=True)],
        sizes={v.build.id: catalog.size_bucket(v.build.params_total_b) for v in views},
        kinds={
            v.build.id: {m: q.kind for m, q in c.items()}
            for v, c in zip(views, chosen, strict=True)
        },
        methods={v.build.id: v.build.vram_method for v in views},
        origins={v.build.id: v.origin.removeprefix("dataset:") for v in views},
        dates={v.build.id: v.build.run_date for v in views},
        suite=suite,
        run_ids={v.build.id: v.run.id if v.run else None for v in views},
        sanity={v.build.id: sanity_of(v) for v in views},
        joules={v.build.id: joules_of(v) for v in views},
        costs={v.build.id: costs_of(v, catalog.cost) for v in views},
        trust={v.build.id: trust_of(v) for v in views},
    )


def trust_of(view: BuildView) -> Trust:
    """Trust signals of the view's runs on its hardware in its suite."""
    runs = cohort_runs(view.runs, view.suite, view.hardware_filter or view.hardware.id)
    return trust(runs, view.results) if runs else NO_TRUST


def leaderboard(
    views: list[BuildView],
    catalog: Catalog,
    preset: str = "aggregate",
    bucket: str = "all",
    weights: Weights | None = None,
    datasets: Mapping[str, DatasetInfo] | None = None,
    prefer: Mapping[str, Sequence[str]] | None = None,
    prepared: Prepared | None = None,
    suite: str | None = None,
    suites: Sequence[SuiteEntry] = (),
    max_vram_gb: float | None = None,
    hardware: HardwareRef | None = None,
) -> Leaderboard:
    """Rank the stored builds of one suite on one hardware (views from
    `Store.builds(suite, hardware)`), within a memory budget when given; unknown preset or
    bucket is an error naming the valid ids."""
    if preset not in catalog.presets:
        raise ArenaError(
            f"unknown preset '{preset}'; expected one of: {', '.join(catalog.presets)}"
        )
    if bucket not in catalog.buckets:
        raise ArenaError(
            f"unknown bucket '{bucket}'; expected one of: {', '.join(catalog.buckets)}"
        )
    known = [*catalog.suites, *[e["id"] for e in suites if e["id"] not in catalog.suites]]
    if suite is not None and suite not in known:
        raise ArenaError(f"unknown suite '{suite}'; expected one of: {', '.join(known)}")
    if max_vram_gb is not None and not max_vram_gb > 0:
        raise ArenaError(f"memory budget {max_vram_gb:g} GB; expected a number of GB above 0")
    every = prepared or prepare(views, catalog, prefer, suite)
    p = every if max_vram_gb is None else every.within_budget(max_vram_gb)
    in_bucket = catalog.buckets[bucket].contains
    kept = {c.id for c in p.candidates}
    hidden = sum(1 for c in every.candidates if c.id not in kept and in_bucket(c.params_total_b))
    ranking = order(p.cohort(catalog, preset, bucket), weights)
    shown = p.preset(catalog, preset)
    visible = {r.model for r in ranking.rows}
    origins = {p.origins[m] for m in visible}
    by_dataset = {
        name: str(info["attribution"])
        for name, info in (datasets or {}).items()
        if info.get("attribution")
    }
    attributions = [text for name, text in sorted(by_dataset.items()) if name in origins]
    dates = [d for m in visible if (d := p.dates[m])]
    latest = max(dates) if dates else None
    by_id = {c.id: c for c in p.candidates}
    return Leaderboard(
        preset,
        bucket,
        ranking,
        attributions,
        latest,
        p.methods,
        p.kinds,
        shown.ttft_bench,
        {m: by_dataset.get(p.origins[m]) for m in visible},
        suite=p.suite,
        suites=list(suites),
        measure=shown.measure,
        benches=shown.benches,
        facts={m: row_facts(p, by_id[m], shown.benches) for m in visible},
        max_vram_gb=max_vram_gb,
        hidden_over_budget=hidden,
        unknown_vram_kept=0
        if max_vram_gb is None
        else sum(1 for m in visible if by_id[m].vram_gb is None),
        prices=catalog.cost,
        hardware=hardware,
    )


def row_facts(p: Prepared, c: Candidate, benches: Sequence[str]) -> RowFacts:
    """A row's run, sanity, capacity at p95 TTFT <= 5 s, and mean J/token and cost per million
    output tokens over the counted benches that have energy."""
    joules = [j for b in benches if (j := p.joules[c.id].get(b)) is not None]
    costs = [x for b in benches if (x := p.costs.get(c.id, {}).get(b)) is not None]
    signals = p.trust.get(c.id, NO_TRUST)
    return RowFacts(
        run_id=p.run_ids[c.id],
        sanity=p.sanity[c.id],
        capacity_rps_5s=c.measures.get("capacity_rps_5s"),
        joules_per_token=sum(joules) / len(joules) if joules else None,
        energy_benches=len(joules),
        cost_per_mtok=sum(costs) / len(costs) if costs else None,
        reproduced=signals.reproduced,
        hosts=signals.hosts,
    )
