"""`arena bench`: measure a live OpenAI-compatible endpoint with the suite and store each bench."""

from __future__ import annotations

import dataclasses
import json
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from arena.bench.client import Timeouts
from arena.bench.runner import ServerGone
from arena.bench.system import Telemetry
from arena.builds import BuildSpec, ensure_build
from arena.catalog.types import Bench
from arena.cli.bench_progress import LiveProgress, error_lines, summary_table
from arena.cli.bench_select import (
    bench_params,
    remeasure_reason,
    run_options,
    select_benches,
    slug,
)
from arena.cli.bench_suite import finish_record, loopback_port, pick_vram, run_suite
from arena.cli.common import (
    BaseModelOpt,
    DbOption,
    HardwareNameOpt,
    HardwareOpt,
    NameOpt,
    ParamsOpt,
    PrecisionOpt,
    console,
    err_console,
    open_store,
)
from arena.errors import ArenaError
from arena.records import BenchRecord

__all__ = [
    "LiveProgress",
    "bench_cmd",
    "bench_params",
    "error_lines",
    "finish_record",
    "loopback_port",
    "pick_vram",
    "remeasure_reason",
    "run_options",
    "run_suite",
    "select_benches",
    "slug",
    "summary_table",
]


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
    precision: PrecisionOpt = None,
    params_b: ParamsOpt = None,
    name: NameOpt = None,
    base_model: BaseModelOpt = None,
    hardware: HardwareOpt = "local",
    hardware_name: HardwareNameOpt = None,
    dataset: Annotated[
        list[str] | None, typer.Option(help="sharegpt=PATH (ShareGPT-format JSON).")
    ] = None,
    export_dir: Annotated[
        Path | None,
        typer.Option(
            "--export-dir",
            help="Also write vllm-bench JSON (open loop) / llama-benchy md + JSON (closed) here.",
        ),
    ] = None,
    first_token_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the first token.")
    ] = 600.0,
    token_timeout: Annotated[float, typer.Option(help="Seconds allowed between tokens.")] = 120.0,
    connect_timeout: Annotated[
        float, typer.Option(help="Seconds to open a connection to the server.")
    ] = 10.0,
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
    spec = BuildSpec(
        build_id, name or model, base_model, precision, params_b, vram_gb, hardware, hardware_name
    )
    b, hw = ensure_build(store, spec)
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
        "timeouts": Timeouts(
            connect=connect_timeout,
            first_token=first_token_timeout,
            between_tokens=token_timeout,
        ),
        "command": "arena " + shlex.join(sys.argv[1:]),
        "sharegpt": sharegpt,
        "store": store,
        "build": b,
        "hardware": hw,
        "export_dir": export_dir,
        "telemetry": telemetry,
    }
    live = LiveProgress(quiet or as_json)
    if not selected:  # --resume found everything stored: the server is not even contacted
        if not quiet:
            err_console.print("resume: every selected bench is stored; nothing to measure")
        records: list[BenchRecord] = []
    else:
        records = _measure(opts, selected, live, telemetry)
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


def _measure(
    opts: dict[str, Any], selected: list[Bench], live: LiveProgress, telemetry: Telemetry
) -> list[BenchRecord]:
    """Run the suite with telemetry; a dead server or Ctrl-C ends with the --resume hint."""
    telemetry.start()
    try:
        return run_suite(opts, selected, live)
    except ServerGone as exc:
        raise ArenaError(f"{exc}; finished benches are stored, rerun with --resume") from exc
    except KeyboardInterrupt:
        err_console.print("interrupted: finished benches are stored; rerun with --resume")
        raise typer.Exit(130) from None
    finally:
        telemetry.stop()
