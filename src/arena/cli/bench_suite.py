"""Run the selected benches against one server and store each record as it completes."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from arena.bench.client import Timeouts, make_session
from arena.bench.closed import Target
from arena.bench.export import write_exports
from arena.bench.open_metrics import length_note
from arena.bench.open_plan import OpenOptions, open_options
from arena.bench.profiles import job_caps
from arena.bench.prompts import PromptMaker
from arena.bench.runner import SuiteContext, run_bench
from arena.bench.sanity import pick_model, probe_force_length, sanity_check, served_models
from arena.bench.system import (
    STORED_METHODS,
    Telemetry,
    Vram,
    choose_vram,
    nvml_used_gb,
    vram_from_log,
)
from arena.catalog.types import Bench
from arena.cli.bench_progress import LiveProgress
from arena.cli.common import err_console
from arena.records import BenchRecord


def finish_record(
    rec: BenchRecord,
    profile: str,
    errors: dict[str, int],
    telemetry: list[dict[str, float]],
) -> BenchRecord:
    """Add what the CLI knows to a measured record."""
    # Profile, every error reason with its count, the telemetry samples of the bench's own window,
    # and the open loop's length policy.
    dist = dict(rec.distribution)
    dist["profile"] = profile
    if not isinstance(dist.get("errors"), dict) or (errors and not dist["errors"]):
        dist["errors"] = dict(errors)
    if telemetry:
        dist["telemetry"] = telemetry
    notes = [*rec.notes, f"profile: {profile}"]
    if "ignore_eos" in dist:
        notes.append(length_note(dist))
    return dataclasses.replace(rec, distribution=dist, notes=notes)


def loopback_port(base_url: str) -> int | None:
    """The TCP port of a server on this machine (for per-process VRAM), else None."""
    parts = urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1", "0.0.0.0"):
        return None
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def pick_vram(
    stored_build: Any,
    new_build: Any,
    vram_gb: float | None,
    server_log: Path | None,
    base_url: str,
) -> Vram | None:
    """The build's VRAM by precedence (system.choose_vram); NVML is read only when needed."""
    manual = Vram(vram_gb, "manual", "--vram-gb") if vram_gb is not None else None
    log = vram_from_log(server_log) if server_log else None
    stored = None
    if stored_build is not None and stored_build.vram_gb is not None:
        stored = Vram(stored_build.vram_gb, stored_build.vram_method, stored_build.vram_source)
    estimate = None
    if new_build.vram_gb is not None and new_build.vram_method == "estimated":
        estimate = Vram(new_build.vram_gb, "estimated", new_build.vram_source or "")
    measured = None
    if manual is None and log is None and (stored is None or stored.method not in STORED_METHODS):
        measured = nvml_used_gb(loopback_port(base_url))
    return choose_vram(manual, log, stored, measured, estimate)


async def _suite(
    opts: dict[str, Any], benches: list[Bench], live: LiveProgress
) -> list[BenchRecord]:
    """Check the server once, then run and store each bench as soon as it finishes."""
    timeouts: Timeouts = opts["timeouts"]
    base = opts["base_url"].rstrip("/")
    async with make_session(opts["api_key"], timeouts) as session:
        model_meta = pick_model(await served_models(session, base), opts["model"], base)
        store, build, hw = opts["store"], opts["build"], opts["hardware"]
        store.put_build(build, hw, [])  # only once the server answered and serves the model
        prompts = PromptMaker(model=opts["model"])
        url = base + ("/chat/completions" if opts["endpoint"] == "chat" else "/completions")
        await prompts.calibrate(
            session, base.removesuffix("/v1"), opts["seed"], url, endpoint=opts["endpoint"]
        )
        target = Target(session, url, opts["model"], opts["endpoint"], timeouts, prompts)
        suspect, answer = await sanity_check(target)
        if suspect:
            err_console.print(
                f"warning: sanity check: {suspect} (answer {answer[:40]!r}); "
                "results are marked suspect",
                highlight=False,
            )
        ctx = SuiteContext(
            target, opts["seed"], opts["command"], model_meta, opts["sharegpt"], suspect
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
        telemetry: Telemetry = opts["telemetry"]
        cap_in, cap_out = job_caps(opts["profile"])
        options = OpenOptions(opts["ignore_eos"], cap_in, cap_out)
        with live.bar, open_options(options):
            for bench in benches:
                t0 = time.time()
                rec = await run_bench(ctx, bench, live.hooks())
                window = telemetry.window(t0, time.time())
                rec = finish_record(rec, opts["profile"], live.errors.get(bench.id, {}), window)
                store.put_build(build, hw, [rec])
                if opts["export_dir"]:
                    write_exports(opts["export_dir"], rec, opts["model"])
                done.append(rec)
        return done


def run_suite(opts: dict[str, Any], benches: list[Bench], live: LiveProgress) -> list[BenchRecord]:
    """Run the suite on uvloop when it is installed, else on asyncio's own loop."""
    try:
        import uvloop

        return uvloop.run(_suite(opts, benches, live))
    except ImportError:
        return asyncio.run(_suite(opts, benches, live))
