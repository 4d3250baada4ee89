"""Which benches `arena bench` runs, and which stored results --resume may skip."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from arena.bench.benchfile import load_bench_file
from arena.bench.profiles import apply_profile
from arena.bench.suite.bench_run import bench_params
from arena.bench.suite.config import SuiteConfig
from arena.catalog import load_catalog
from arena.catalog.types import Bench
from arena.errors import ArenaError
from arena.records import BenchRecord
from arena.verdicts import Flag

DEFAULT_SUITE = "v2"  # the suite `arena bench` measures (and stores its run under) by default


def select_benches(
    spec: str, bench_file: Path | None, profile: str, runs: int | None, suite: str = DEFAULT_SUITE
) -> list[Bench]:
    """Catalog (plus file) benches named by --benches, scaled by the profile ("all": the
    benches of `suite` in that suite's order)."""
    cat = load_catalog()
    if suite not in cat.suites:
        raise ArenaError(
            f"--suite {suite!r}: unknown suite; expected one of {', '.join(cat.suites)}"
        )
    pool = dict(cat.benches)
    ids = [b for b in cat.suites[suite].bench_ids if b in pool]
    if bench_file is not None:
        custom = load_bench_file(bench_file)
        pool.update({b.id: b for b in custom})
        ids = [b.id for b in custom]
    if spec != "all":
        ids = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [i for i in ids if i not in pool]
    if unknown:
        raise ArenaError(f"--benches: unknown bench '{unknown[0]}'; known: {', '.join(pool)}")
    out = [apply_profile(pool[i], profile) for i in ids]
    if runs is not None:
        out = [dataclasses.replace(b, runs=runs) for b in out]
    return out


def remeasure_reason(
    rec: BenchRecord | None, bench: Bench, wanted: Mapping[str, object]
) -> str | None:
    """Why a stored result is measured again; None lets --resume skip it."""
    # None when the stored result is this very measurement, else why it is measured again: not
    # stored, imported (not tool arena), unreliable or suspect, other bench parameters (another
    # profile, --runs, a bench file), or another run option (`wanted`: profile, seed, endpoint,
    # ignore_eos) recorded with it.
    if rec is None:
        return "not stored"
    if rec.source.tool != "arena":
        return f"stored result was imported from {rec.source.tool}"
    flagged = [f for f in rec.flags if f in (Flag.FAILED, Flag.UNRELIABLE, Flag.SUSPECT)]
    if flagged:
        return f"stored result is {flagged[0]}"
    d = rec.distribution
    if d.get("bench") != bench_params(bench):
        where = f" (profile {d['profile']})" if d.get("profile") else ""
        return f"stored with other bench parameters{where}"
    for key, value in wanted.items():
        if key in d and d[key] != value:
            return f"stored with {key} {d[key]!r}, this run {value!r}"
    return None


def run_options(config: SuiteConfig, bench: Bench) -> dict[str, str | int | bool]:
    """Run options recorded with a result that make it another measurement when changed."""
    out: dict[str, str | int | bool] = {
        "profile": config.profile,
        "seed": config.seed,
        "endpoint": config.endpoint,
    }
    if bench.mode in ("open", "sweep"):
        out["ignore_eos"] = config.ignore_eos
    return out


def resume_plan(
    config: SuiteConfig, stored: dict[str, BenchRecord]
) -> tuple[list[Bench], list[str], list[str]]:
    """The benches --resume still measures, the ids it skips, "id (why)" for measured-again ones."""
    todo: list[Bench] = []
    skipped: list[str] = []
    again: list[str] = []
    for bench in config.benches:
        why = remeasure_reason(stored.get(bench.id), bench, run_options(config, bench))
        if why is None:
            skipped.append(bench.id)
            continue
        todo.append(bench)
        if bench.id in stored:
            again.append(f"{bench.id} ({why})")
    return todo, skipped, again
