"""Run a suite: check the server once, then measure and store each bench as soon as it finishes."""

from __future__ import annotations

import dataclasses
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

from arena import __version__, aio
from arena.bench.export import write_exports, write_telemetry
from arena.bench.http import make_session
from arena.bench.open import OpenOptions, length_note
from arena.bench.power import (
    BenchPower,
    PowerSource,
    bench_number,
    bench_power,
    power_line,
    with_power,
)
from arena.bench.profiles import job_caps
from arena.bench.prompts import PromptMaker
from arena.bench.sanity import pick_model, probe_force_length, sanity_check, served_models
from arena.bench.suite.bench_run import SuiteContext, run_bench
from arena.bench.suite.config import SuiteConfig, SuiteProgress, SuiteResult
from arena.bench.suite.select import resume_plan
from arena.bench.system import (
    STORED_METHODS,
    Telemetry,
    Vram,
    choose_vram,
    nvml_used_gb,
    vram_from_log,
)
from arena.bench.target import Target
from arena.builds import ensure_build
from arena.catalog import load_catalog
from arena.catalog.types import Bench
from arena.records import BenchRecord, BuildInfo, HardwareInfo, RunInfo, Sanity
from arena.store import Store


def finish_record(rec: BenchRecord, profile: str, power: BenchPower | None = None) -> BenchRecord:
    """Add the run's profile, the length rule, and the power of the bench's own window."""
    dist = dict(rec.distribution)
    dist["profile"] = profile
    notes = [*rec.notes, f"profile: {profile}"]
    if "ignore_eos" in dist:
        notes.append(length_note(dist))
    rec = dataclasses.replace(rec, distribution=dist, notes=notes)
    return with_power(rec, power) if power is not None else rec


def loopback_port(base_url: str) -> int | None:
    """The TCP port of a server on this machine (for per-process VRAM), else None."""
    parts = urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1", "0.0.0.0"):
        return None
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def pick_vram(stored: BuildInfo | None, new: BuildInfo, config: SuiteConfig) -> Vram | None:
    """The build's VRAM by precedence (system.choose_vram); NVML is read only when needed."""
    gb = config.build.vram_gb
    manual = Vram(gb, "manual", "--vram-gb") if gb is not None else None
    log = vram_from_log(config.server_log) if config.server_log else None
    kept = None
    if stored is not None and stored.vram_gb is not None and stored.vram_method is not None:
        kept = Vram(stored.vram_gb, stored.vram_method, stored.vram_source or "")
    estimate = None
    if new.vram_gb is not None and new.vram_method == "estimated":
        estimate = Vram(new.vram_gb, "estimated", new.vram_source or "")
    measured = None
    if manual is None and log is None and (kept is None or kept.method not in STORED_METHODS):
        measured = nvml_used_gb(loopback_port(config.base_url))
    return choose_vram(manual, log, kept, measured, estimate)


async def _measure(
    config: SuiteConfig,
    benches: list[Bench],
    store: Store,
    where: tuple[BuildInfo, HardwareInfo],
    progress: SuiteProgress,
    telemetry: PowerSource,
) -> tuple[list[BenchRecord], str | None, str]:
    """Check the server once, then run and store each bench as soon as it finishes."""
    build, hw = where
    base = config.base_url.rstrip("/")
    suite = load_catalog().suites.get(config.suite)
    ids = [b.id for b in config.benches]
    numbers = {b: bench_number(b, suite.bench_ids if suite else (), ids) for b in ids}
    async with make_session(config.api_key, config.timeouts) as session:
        models = await served_models(session, base, config.timeouts)
        model_meta = pick_model(models, config.model, base)
        store.put_build(build, hw, [])  # only once the server answered and serves the model
        prompts = PromptMaker(model=config.model, timeouts=config.timeouts)
        url = base + ("/chat/completions" if config.endpoint == "chat" else "/completions")
        await prompts.calibrate(
            session, base.removesuffix("/v1"), config.seed, url, endpoint=config.endpoint
        )
        target = Target(session, url, config.model, config.endpoint, config.timeouts, prompts)
        suspect, answer = await sanity_check(target)
        if suspect:
            progress.warning(
                f"warning: sanity check: {suspect} (answer {answer[:40]!r}); "
                "results are marked suspect"
            )
        run = new_run(config, build, hw, Sanity("suspect" if suspect else "ok", answer, suspect))
        store.put_build(build, hw, [], run=run)
        cap_in, cap_out = job_caps(config.profile)
        ctx = SuiteContext(
            target,
            config.seed,
            config.command,
            model_meta,
            config.sharegpt,
            suspect,
            options=OpenOptions(config.ignore_eos, cap_in, cap_out),
        )
        forced_note = await probe_force_length(target)
        if forced_note:
            ctx.notes.append(forced_note)
        if prompts.method == "usage-probe":
            ctx.notes.append("prompt lengths calibrated from usage.prompt_tokens (no /tokenize)")
        elif prompts.method == "estimate":
            ctx.notes.append(
                "prompt lengths estimated at 1.3 tokens per word (no /tokenize, no usage)"
            )
        done: list[BenchRecord] = []
        for bench in benches:
            t0 = time.time()
            rec = await run_bench(ctx, bench, progress)
            rec = finish_record(rec, config.profile, bench_power(telemetry, t0, time.time()))
            store.add_results(run.id, [rec])
            if config.export_dir:
                write_exports(config.export_dir, rec, config.model)
                write_telemetry(config.export_dir, rec, numbers[bench.id])
            done.append(rec)
        return done, suspect, run.id


def new_run(config: SuiteConfig, build: BuildInfo, hw: HardwareInfo, sanity: Sanity) -> RunInfo:
    """A fresh run for this invocation: every `arena bench` is a new run, never a rewrite."""
    return RunInfo(
        id="b" + uuid.uuid4().hex[:20],
        suite=config.suite,
        hardware_id=hw.id,
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        engine=build.engine,
        engine_version=build.engine_version,
        server_config=dict(build.server_config),
        tool_versions={"arena": __version__},
        command=config.command,
        sanity=sanity,
        vram_gb=build.vram_gb,
        vram_method=build.vram_method,
        vram_source=build.vram_source,
    )


def run_suite(
    config: SuiteConfig, store: Store, on_progress: SuiteProgress | None = None
) -> SuiteResult:
    """Measure the configured benches against the server and store each one as it finishes."""
    # Raises ServerGone when the server stops answering (finished benches stay stored) and
    # ArenaError for bad input; KeyboardInterrupt passes through.
    progress = on_progress or SuiteProgress()
    before = store.build(config.build.id, suite=config.suite)
    build, hw = ensure_build(store, config.build)
    vram = pick_vram(before.build if before else None, build, config)
    if vram is not None:
        build = dataclasses.replace(
            build, vram_gb=vram.gb, vram_method=vram.method, vram_source=vram.source
        )
    benches, skipped, again = list(config.benches), list[str](), list[str]()
    if config.resume:
        benches, skipped, again = resume_plan(config, before.results if before else {})
        progress.resume(skipped, again)
    if not benches:  # --resume found everything stored: the server is not even contacted
        return SuiteResult(build.id, (), tuple(skipped), tuple(again))
    telemetry = Telemetry(config.power_interval)
    telemetry.start()
    try:
        work = _measure(config, benches, store, (build, hw), progress, telemetry)
        records, suspect, run_id = aio.run(work)
    finally:
        telemetry.stop()
    line = power_line(telemetry, sum(r.energy is not None for r in records), len(records))
    return SuiteResult(
        build.id, tuple(records), tuple(skipped), tuple(again), suspect, line, run_id
    )
