"""`arena bench`: measure a live OpenAI-compatible endpoint with the suite and store each bench."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import shlex
import sys
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from arena.bench.benchfile import load_bench_file
from arena.bench.client import RequestResult, Timeouts, make_session
from arena.bench.closed import Target
from arena.bench.export import write_exports
from arena.bench.open_loop import OpenOptions, length_note, open_options
from arena.bench.profiles import apply_profile, job_caps
from arena.bench.prompts import PromptMaker
from arena.bench.runner import Progress as Hooks
from arena.bench.runner import (
    ServerGone,
    SuiteContext,
    pick_model,
    probe_force_length,
    run_bench,
    sanity_check,
    served_models,
)
from arena.bench.system import (
    STORED_METHODS,
    Telemetry,
    Vram,
    choose_vram,
    nvml_used_gb,
    vram_from_log,
)
from arena.catalog.types import Bench
from arena.cli.common import DbOption, catalog, console, err_console, open_store
from arena.cli.importing import ensure_build
from arena.errors import ArenaError
from arena.records import BenchRecord


def select_benches(
    spec: str, bench_file: Path | None, profile: str, runs: int | None
) -> list[Bench]:
    """Catalog (plus file) benches named by --benches, scaled by the profile."""
    pool = dict(catalog().benches)
    if bench_file is not None:
        custom = load_bench_file(bench_file)
        pool.update({b.id: b for b in custom})
        if spec == "all":
            spec = ",".join(b.id for b in custom)
    ids = list(pool) if spec == "all" else [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [i for i in ids if i not in pool]
    if unknown:
        raise ArenaError(f"--benches: unknown bench '{unknown[0]}'; known: {', '.join(pool)}")
    out = [apply_profile(pool[i], profile) for i in ids]
    if runs is not None:
        out = [dataclasses.replace(b, runs=runs) for b in out]
    return out


def slug(name: str) -> str:
    """A build id from a served model name."""
    return re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-") or "build"


class LiveProgress:
    """One Rich bar per bench: requests done, live output tok/s, ETA."""

    def __init__(self, quiet: bool) -> None:
        self.bar = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tps]:>8} tok/s"),
            TimeRemainingColumn(),
            console=err_console,
            disable=quiet,
        )
        self.tasks: dict[str, Any] = {}
        self.tokens: dict[str, int] = {}
        self.t0: dict[str, float] = {}
        self.errors: dict[str, dict[str, int]] = {}

    def hooks(self) -> Hooks:
        """Callbacks for the runner."""
        return Hooks(start=self.start, request=self.request, done=self.done)

    def start(self, bench: Bench, total: int) -> None:
        self.tasks[bench.id] = self.bar.add_task(bench.id, total=total, tps="-")
        self.tokens[bench.id] = 0
        self.t0[bench.id] = time.perf_counter()
        self.errors[bench.id] = {}

    def request(self, bench: Bench, r: RequestResult) -> None:
        if not r.ok:
            errors = self.errors.setdefault(bench.id, {})
            reason = r.error or "unknown error"
            errors[reason] = errors.get(reason, 0) + 1
        self.tokens[bench.id] = self.tokens.get(bench.id, 0) + r.output_tokens
        t0 = self.t0.get(bench.id, time.perf_counter())
        rate = self.tokens[bench.id] / max(1e-9, time.perf_counter() - t0)
        if bench.id in self.tasks:
            self.bar.update(self.tasks[bench.id], advance=1, tps=f"{rate:,.1f}")

    def done(self, bench: Bench, rec: BenchRecord) -> None:
        task = self.tasks[bench.id]
        self.bar.update(task, completed=self.bar.tasks[task].total)


def summary_table(records: list[BenchRecord], build_id: str) -> Table:
    """Per bench: headline, total tok/s, TTFT, completed/failed, notes."""
    t = Table(title=f"arena bench · {build_id}", title_justify="left")
    for col in ("bench", "tok/s per user", "tok/s total", "TTFT p50 ms", "ok/failed", "notes"):
        t.add_column(col, justify="left" if col in ("bench", "notes") else "right")
    for r in records:
        flags = [n.split(":")[0] for n in r.notes if n.startswith(("unreliable", "suspect"))]
        t.add_row(
            r.bench_id,
            "–" if r.tps_per_user is None else f"{r.tps_per_user:,.2f}",
            "–" if r.tps_total is None else f"{r.tps_total:,.1f}",
            "–" if r.ttft_p50_ms is None else f"{r.ttft_p50_ms:,.1f}",
            f"{r.completed}/{r.failed}",
            ", ".join(flags),
        )
    return t


def error_lines(records: list[BenchRecord], top: int = 3) -> list[str]:
    """Under the summary table: per bench with failures, its first `top` distinct reasons."""
    lines = []
    for r in records:
        errors = r.distribution.get("errors")
        if not isinstance(errors, dict) or not errors:
            continue
        shown = "; ".join(f"{n}x {reason}" for reason, n in list(errors.items())[:top])
        more = len(errors) - top
        lines.append(
            f"errors in {r.bench_id}: {shown}" + (f" (+{more} more reasons)" if more > 0 else "")
        )
    return lines


def bench_params(bench: Bench) -> dict[str, Any]:
    """The bench's parameters as stored in distribution["bench"] (tuples as lists)."""
    return {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(bench).items()
    }


def remeasure_reason(rec: BenchRecord | None, bench: Bench, wanted: dict[str, Any]) -> str | None:
    """None when the stored result is this very measurement (--resume skips it), else why
    it is measured again: not stored, imported (not tool arena), unreliable or suspect,
    other bench parameters (another profile, --runs, a bench file), or another run option
    (`wanted`: profile, seed, endpoint, ignore_eos) recorded with it."""
    if rec is None:
        return "not stored"
    if rec.source.tool != "arena":
        return f"stored result was imported from {rec.source.tool}"
    flagged = [n for n in rec.notes if n.startswith(("unreliable", "suspect"))]
    if flagged:
        return f"stored result is {flagged[0].split(':')[0]}"
    d = rec.distribution
    if d.get("bench") != bench_params(bench):
        where = f" (profile {d['profile']})" if d.get("profile") else ""
        return f"stored with other bench parameters{where}"
    for key, value in wanted.items():
        if key in d and d[key] != value:
            return f"stored with {key} {d[key]!r}, this run {value!r}"
    return None


def run_options(opts: dict[str, Any], bench: Bench) -> dict[str, Any]:
    """Run options recorded with a result that make it another measurement when changed."""
    out = {"profile": opts["profile"], "seed": opts["seed"], "endpoint": opts["endpoint"]}
    if bench.mode == "open":
        out["ignore_eos"] = opts["ignore_eos"]
    return out


def finish_record(
    rec: BenchRecord,
    profile: str,
    errors: dict[str, int],
    telemetry: list[dict[str, float]],
) -> BenchRecord:
    """Add what the CLI knows to a measured record: profile, every error reason with its count,
    the telemetry samples of the bench's own window, and the open loop's length policy."""
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
    timeouts: Timeouts = opts["timeouts"]
    base = opts["base_url"].rstrip("/")
    async with make_session(opts["api_key"], timeouts) as session:
        model_meta = pick_model(await served_models(session, base), opts["model"], base)
        store, build, hw = opts["store"], opts["build"], opts["hardware"]
        store.put_build(build, hw, [])  # only once the server answered and serves the model
        prompts = PromptMaker(model=opts["model"])
        await prompts.calibrate(session, base.removesuffix("/v1"), opts["seed"])
        url = base + ("/chat/completions" if opts["endpoint"] == "chat" else "/completions")
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


def bench_cmd(
    model: Annotated[str, typer.Option("--model", help="Served model name (see /v1/models).")],
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url", envvar="OPENAI_BASE_URL", help="OpenAI-compatible base URL ending in /v1."
        ),
    ] = "http://127.0.0.1:8000/v1",
    build: Annotated[
        str | None, typer.Option(help="Build id to store under (created if new).")
    ] = None,
    api_key: Annotated[str | None, typer.Option("--api-key", envvar="OPENAI_API_KEY")] = None,
    benches: Annotated[str, typer.Option(help="all, or a comma list like chat,rag-8k.")] = "all",
    bench_file: Annotated[
        Path | None, typer.Option("--bench-file", help="YAML list of custom benches.")
    ] = None,
    profile: Annotated[str, typer.Option(help="full (the seed's suite), quick or smoke.")] = "full",
    runs: Annotated[
        int | None, typer.Option(help="Closed-loop runs per point (default: bench's).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for prompts and arrivals.")] = 42,
    endpoint: Annotated[str, typer.Option(help="chat or completions.")] = "chat",
    resume: Annotated[
        bool,
        typer.Option(
            help="Skip benches stored by arena with the same parameters (unreliable, suspect, "
            "imported or other-profile results are measured again)."
        ),
    ] = False,
    ignore_eos: Annotated[
        bool,
        typer.Option(
            "--ignore-eos",
            help="Open loop: force each answer to its planned length (as vllm bench serve "
            "--ignore-eos; off by default). The closed loop always forces it.",
        ),
    ] = False,
    vram_gb: Annotated[float | None, typer.Option("--vram-gb", help="VRAM in GB (manual).")] = None,
    server_log: Annotated[
        Path | None, typer.Option("--server-log", help="vLLM log with 'Model loading took N GiB'.")
    ] = None,
    precision: Annotated[str | None, typer.Option(help="bf16, fp8, nvfp4, q4_k_m, ...")] = None,
    params_b: Annotated[
        float | None, typer.Option("--params-b", help="Total params, billions.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name of a new build.")] = None,
    base_model: Annotated[
        str | None, typer.Option("--base-model", help="HF id of the base model.")
    ] = None,
    hardware: Annotated[str, typer.Option(help="Hardware id.")] = "local",
    hardware_name: Annotated[str | None, typer.Option("--hardware-name")] = None,
    dataset: Annotated[
        list[str] | None, typer.Option(help="sharegpt=PATH (ShareGPT-format JSON).")
    ] = None,
    export_dir: Annotated[
        Path | None,
        typer.Option("--export-dir", help="Also write vllm-bench JSON / llama-benchy md here."),
    ] = None,
    first_token_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the first token.")
    ] = 600.0,
    token_timeout: Annotated[float, typer.Option(help="Seconds allowed between tokens.")] = 120.0,
    quiet: Annotated[bool, typer.Option(help="No progress bars or table.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the stored results as JSON.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Measure a live endpoint with the benches (llama-benchy / vllm bench serve semantics)."""
    if endpoint not in ("chat", "completions"):
        raise ArenaError(f"--endpoint {endpoint!r}: expected 'chat' or 'completions'")
    if vram_gb is not None and server_log is not None:
        raise ArenaError("--vram-gb and --server-log: give one, not both")
    sharegpt = None
    for item in dataset or []:
        key, _, value = item.partition("=")
        if key != "sharegpt" or not value:
            raise ArenaError(f"--dataset {item!r}: expected sharegpt=PATH")
        sharegpt = Path(value)
        if not sharegpt.is_file():
            raise ArenaError(f"--dataset sharegpt={value}: no such file")
    selected = select_benches(benches, bench_file, profile, runs)
    store = open_store(db)
    build_id = build or slug(model)
    before = store.build(build_id)
    b, hw = ensure_build(
        store,
        build_id,
        name or model,
        base_model,
        precision,
        params_b,
        vram_gb,
        hardware,
        hardware_name,
    )
    vram = pick_vram(before.build if before else None, b, vram_gb, server_log, base_url)
    if vram is not None:
        b = dataclasses.replace(
            b, vram_gb=vram.gb, vram_method=vram.method, vram_source=vram.source
        )
    opts: dict[str, Any] = {"profile": profile, "seed": seed, "endpoint": endpoint}
    opts["ignore_eos"] = ignore_eos
    if resume:
        stored = before.results if before else {}
        skipped, again = [], []
        for x in selected:
            why = remeasure_reason(stored.get(x.id), x, run_options(opts, x))
            if why is None:
                skipped.append(x.id)
            elif x.id in stored:
                again.append(f"{x.id} ({why})")
        selected = [x for x in selected if x.id not in skipped]
        if skipped and not quiet:
            err_console.print(f"resume: skipping stored {', '.join(skipped)}", highlight=False)
        if again and not quiet:
            err_console.print(f"resume: measuring again {', '.join(again)}", highlight=False)
    telemetry = Telemetry()
    opts |= {
        "model": model,
        "base_url": base_url,
        "api_key": api_key,
        "seed": seed,
        "endpoint": endpoint,
        "timeouts": Timeouts(first_token=first_token_timeout, between_tokens=token_timeout),
        "command": "arena " + shlex.join(sys.argv[1:]),
        "sharegpt": sharegpt,
        "store": store,
        "build": b,
        "hardware": hw,
        "export_dir": export_dir,
        "telemetry": telemetry,
    }
    live = LiveProgress(quiet or as_json)
    telemetry.start()
    try:
        records = _run(opts, selected, live)
    except ServerGone as exc:
        raise ArenaError(f"{exc}; finished benches are stored, rerun with --resume") from exc
    except KeyboardInterrupt:
        err_console.print("interrupted: finished benches are stored; rerun with --resume")
        raise typer.Exit(130) from None
    finally:
        telemetry.stop()
    if as_json:
        view = store.build(build_id)
        out = {
            bid: {
                "tps_per_user": r.tps_per_user,
                "tps_total": r.tps_total,
                "ttft_p50_ms": r.ttft_p50_ms,
                "completed": r.completed,
                "failed": r.failed,
                "notes": r.notes,
            }
            for bid, r in (view.results.items() if view else [])
        }
        sys.stdout.write(json.dumps({"build": build_id, "benches": out}, indent=2) + "\n")
    elif not quiet:
        console.print(summary_table(records, build_id))
        for line in error_lines(records):
            console.print(line, highlight=False, markup=False)
        console.print(f"stored under build '{build_id}': arena show {build_id}", highlight=False)


def _run(opts: dict[str, Any], benches: list[Bench], live: LiveProgress) -> list[BenchRecord]:
    try:
        import uvloop

        return uvloop.run(_suite(opts, benches, live))
    except ImportError:
        return asyncio.run(_suite(opts, benches, live))
