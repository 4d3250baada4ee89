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

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from arena.bench.benchfile import load_bench_file
from arena.bench.client import RequestResult, Timeouts, make_session
from arena.bench.closed import Target
from arena.bench.export import write_exports
from arena.bench.profiles import apply_profile
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
from arena.bench.system import Telemetry, Vram, nvml_used_gb, vram_from_log
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

    def hooks(self) -> Hooks:
        """Callbacks for the runner."""
        return Hooks(start=self.start, request=self.request, done=self.done)

    def start(self, bench: Bench, total: int) -> None:
        self.tasks[bench.id] = self.bar.add_task(bench.id, total=total, tps="-")
        self.tokens[bench.id] = 0
        self.t0[bench.id] = time.perf_counter()

    def request(self, bench: Bench, r: RequestResult) -> None:
        self.tokens[bench.id] += r.output_tokens
        rate = self.tokens[bench.id] / max(1e-9, time.perf_counter() - self.t0[bench.id])
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
        if prompts.method != "tokenize":
            ctx.notes.append("prompt lengths estimated (server has no /tokenize)")
        done: list[BenchRecord] = []
        with live.bar:
            for bench in benches:
                rec = await run_bench(ctx, bench, live.hooks())
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
        bool, typer.Option(help="Skip benches already stored (unreliable ones run again).")
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
    vram: Vram | None = vram_from_log(server_log) if server_log else nvml_used_gb()
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
    if vram is not None and vram_gb is None:
        b = dataclasses.replace(
            b, vram_gb=vram.gb, vram_method=vram.method, vram_source=vram.source
        )
    if resume:
        view = store.build(build_id)
        # an unreliable bench (> 10 % failed) is measured again rather than kept
        stored = {
            bid
            for bid, r in (view.results.items() if view else [])
            if not any(n.startswith("unreliable") for n in r.notes)
        }
        skipped = [x.id for x in selected if x.id in stored]
        selected = [x for x in selected if x.id not in stored]
        if skipped and not quiet:
            err_console.print(f"resume: skipping stored {', '.join(skipped)}", highlight=False)
    opts = {
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
    }
    live = LiveProgress(quiet or as_json)
    telemetry = Telemetry()
    telemetry.start()
    try:
        records = _run(opts, selected, live)
    except ServerGone as exc:
        raise ArenaError(f"{exc}; finished benches are stored, rerun with --resume") from exc
    except KeyboardInterrupt:
        err_console.print("interrupted: finished benches are stored; rerun with --resume")
        raise typer.Exit(130) from None
    finally:
        samples = telemetry.stop()
    if samples:
        store.put_results(build_id, [_with_telemetry(r, samples) for r in records])
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
        console.print(f"stored under build '{build_id}': arena show {build_id}", highlight=False)


def _with_telemetry(rec: BenchRecord, samples: list[dict[str, float]]) -> BenchRecord:
    return dataclasses.replace(rec, distribution={**rec.distribution, "telemetry": samples})


def _run(opts: dict[str, Any], benches: list[Bench], live: LiveProgress) -> list[BenchRecord]:
    try:
        import uvloop

        return uvloop.run(_suite(opts, benches, live))
    except ImportError:
        return asyncio.run(_suite(opts, benches, live))
