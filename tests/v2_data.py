"""Suite v2 runs written through the store's own API, for the tests of the suite-aware views.

These runs carry what v2 measures (power telemetry, a rate sweep's steps and capacity, a sanity
verdict) with figures chosen here, and each test derives what it expects from these inputs, not
from our code. Their build ids are not in the bundled v2 dataset, so written next to it they are
each build's only v2 run; `v1_only` gives a store where they are the only v2 data at all."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from arena.dataset import BUNDLED, load_bundled
from arena.records import (
    BenchRecord,
    BuildInfo,
    Dataset,
    Energy,
    HardwareInfo,
    Provenance,
    RunInfo,
    Sanity,
)
from arena.store import Store

HW = HardwareInfo("dgx-spark", "DGX Spark · GB10 · 128 GB unified")
SHARED = "mistral-small-3.2-24b-it-nvfp4"  # a bundled v1 build the bundled v2 data lacks
SUSPECT_ANSWER = "<img src=x onerror=alert(2)> Paris is a river"


@dataclass(frozen=True)
class BenchSpec:
    """One bench of a v2 run: headline tok/s and, when telemetry was sampled, mean power W,
    duration s and output tokens (J/token follows from these three)."""

    bench: str
    tps: float | None
    power: tuple[float, float, int] | None = None  # mean W, duration s, output tokens


def joules(power: tuple[float, float, int]) -> float:
    """J per output token as the issue defines it: mean power x duration / output tokens."""
    watts, seconds, tokens = power
    return watts * seconds / tokens


def energy(power: tuple[float, float, int]) -> Energy:
    """An Energy record for (mean W, duration s, output tokens)."""
    watts, seconds, tokens = power
    return Energy(
        mean_power_w=watts,
        peak_power_w=watts + 20.0,
        samples=int(seconds),
        source="01-telemetry.csv",
        peak_temp_c=71.0,
        duration_s=seconds,
        duration_source="tool wall time",
        output_tokens=tokens,
        joules_per_output_token=joules(power),
        tokens_per_watt=tokens / seconds / watts,
    )


def sweep(capacity: dict[int, float | None]) -> BenchRecord:
    """A rate-sweep result: steps at 0.1 .. 0.7 rps and the capacity per p95-TTFT limit."""
    steps: list[dict[str, Any]] = [
        {
            "offered_rps": rps,
            "achieved_rps": round(rps * 0.98, 3),
            "completed": n,
            "total": n,
            "ttft_p50_ms": 400.0 + 3000 * rps,
            "ttft_p95_ms": 900.0 + 9000 * rps,
            "ttft_p99_ms": 1200.0 + 9500 * rps,
            "output_tps": 500 * rps,
            "peak_concurrency": int(20 * rps) + 1,
        }
        for rps, n in ((0.1, 30), (0.3, 60), (0.5, 100), (0.7, 140))
    ]
    cap = [
        {
            "ttft_p95_limit_ms": limit,
            "offered_rps": rps,
            "achieved_rps": None if rps is None else round(rps * 0.98, 3),
            "ttft_p95_ms": None if rps is None else 900.0 + 9000 * rps,
        }
        for limit, rps in capacity.items()
    ]
    return BenchRecord(
        "rate-sweep",
        None,
        None,
        None,
        None,
        None,
        None,
        Provenance("vllm bench serve", "0.26.0", "11-rate-sweep.json"),
        distribution={"steps": steps, "capacity": cap},
        completed=330,
        failed=0,
    )


def record(spec: BenchSpec) -> BenchRecord:
    """A closed-loop style result with the spec's headline and energy."""
    return BenchRecord(
        spec.bench,
        spec.tps,
        None if spec.tps is None else spec.tps * 8,
        None,
        None,
        150.0,
        1.0,
        Provenance("llama-benchy", "0.4.0", f"{spec.bench}.md"),
        energy=None if spec.power is None else energy(spec.power),
    )


@dataclass(frozen=True)
class V2Build:
    """A build's v2 run as written: its benches, capacity per limit and sanity."""

    build: BuildInfo
    run: RunInfo
    benches: tuple[BenchSpec, ...]
    capacity: dict[int, float | None] | None


def _build(bid: str, name: str, params: float) -> BuildInfo:
    return BuildInfo(
        id=bid,
        name=name,
        base_model=f"probe/{bid}",
        precision="bf16",
        hardware_id=HW.id,
        params_total_b=params,
        vram_gb=params * 2,
        vram_method="manual",
    )


def _run(rid: str, sanity: Sanity | None, date: str) -> RunInfo:
    return RunInfo(
        id=rid,
        suite="v2",
        hardware_id=HW.id,
        date=date,
        engine="vllm",
        engine_version="0.26.0",
        tool_versions={"llama-benchy": "0.4.0", "vllm": "0.26.0"},
        environment={"driver": "580.95"},
        source_files={"meta.json": "0" * 64},
        source_dir=f"/data/v2/{rid}",
        sanity=sanity,
    )


def v2_builds(shared: BuildInfo | None) -> list[V2Build]:
    """Three new builds and (when given) a v2 run of a bundled v1 build."""
    out = [
        V2Build(
            _build("v2-fast", "V2 Fast 4B", 4.0),
            _run("run-v2-fast", Sanity("ok", "Paris", None, "_sanity.txt"), "2026-08-10T10:00:00"),
            (
                BenchSpec("chat", 60.0, (110.0, 300.0, 55000)),
                BenchSpec("rag-8k", 40.0, (130.0, 420.0, 42000)),
                BenchSpec("concurrency-stress", 20.0, (140.0, 200.0, 10000)),
            ),
            {2000: None, 5000: 0.5, 10000: 0.7},
        ),
        V2Build(
            _build("v2-suspect", "V2 Suspect 2B", 2.0),
            _run(
                "run-v2-suspect",
                Sanity("suspect", SUSPECT_ANSWER, "answer does not name Paris", "_sanity.txt"),
                "2026-08-11T10:00:00",
            ),
            (BenchSpec("chat", 80.0, (90.0, 250.0, 50000)), BenchSpec("rag-8k", 50.0)),
            {2000: None, 5000: None, 10000: 0.3},
        ),
        V2Build(
            _build("v2-plain", "V2 Plain 9B", 9.0),
            _run("run-v2-plain", None, "2026-08-12T10:00:00"),
            (BenchSpec("chat", 30.0), BenchSpec("rag-8k", 20.0)),
            None,
        ),
    ]
    if shared is not None:
        out.append(
            V2Build(
                shared,
                _run("run-v2-shared", Sanity("ok", "Paris", None, None), "2026-08-13T10:00:00"),
                (BenchSpec("chat", 95.0, (100.0, 200.0, 40000)),),
                {2000: 0.1, 5000: 0.3, 10000: 0.5},
            )
        )
    return out


def add_v2_runs(store: Store) -> list[V2Build]:
    """Write the v2 runs (a v2 run of the bundled SHARED build when the store holds it)."""
    view = store.build(SHARED)
    shared = dataclasses.replace(view.build) if view is not None else None
    written = v2_builds(shared)
    for b in written:
        results = [record(s) for s in b.benches]
        if b.capacity is not None:
            results.append(sweep(b.capacity))
        store.put_build(b.build, HW, results, run=b.run)
    return written


def bundled(suite: str) -> Dataset:
    """The bundled dataset of suite `suite` ("v1" or "v2"), as the package ships it."""
    return load_bundled(BUNDLED[f"dgx-spark-benchmarks-{suite}"])


def v1_only(path: str) -> Store:
    """A new store on `path` holding the bundled v1 dataset alone (no bundled v2 runs)."""
    store = Store.open(path)
    store.load(bundled("v1"))
    return store
