"""`arena bench`: measure a live OpenAI-compatible endpoint with the suite and store each bench."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from arena.bench import ServerGone, SuiteConfig, Timeouts, run_suite, select_benches
from arena.builds import BuildSpec, slug
from arena.cli.bench_progress import LiveProgress, error_lines, summary_table
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
    suite: Annotated[
        str, typer.Option(help="Suite whose benches 'all' means and the run is stored under.")
    ] = "v2",
    profile: Annotated[
        str, typer.Option(help="full (the suite's shapes), quick or smoke.")
    ] = "full",
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
    selected = select_benches(benches, bench_file, profile, runs, suite)
    store = open_store(db)
    build_id = build or slug(model)
    config = SuiteConfig(
        model=model,
        build=BuildSpec(
            build_id,
            name or model,
            base_model,
            precision,
            params_b,
            vram_gb,
            hardware,
            hardware_name,
        ),
        benches=tuple(selected),
        base_url=base_url,
        api_key=api_key,
        profile=profile,
        seed=seed,
        endpoint="chat" if endpoint == "chat" else "completions",
        ignore_eos=ignore_eos,
        resume=resume,
        timeouts=Timeouts(connect_timeout, first_token_timeout, token_timeout),
        sharegpt=sharegpt,
        server_log=server_log,
        export_dir=export_dir,
        suite=suite,
        command="arena " + shlex.join(sys.argv[1:]),
    )
    try:
        with LiveProgress(quiet or as_json, quiet) as live:
            result = run_suite(config, store, live)
    except ServerGone as exc:
        raise ArenaError(f"{exc}; finished benches are stored, rerun with --resume") from exc
    except KeyboardInterrupt:
        err_console.print("interrupted: finished benches are stored; rerun with --resume")
        raise typer.Exit(130) from None
    if resume and selected and len(result.skipped) == len(selected) and not quiet:
        err_console.print("resume: every selected bench is stored; nothing to measure")
    if as_json:
        view = store.build(build_id, suite=config.suite)
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
        console.print(summary_table(list(result.records), build_id))
        for line in error_lines(list(result.records)):
            console.print(line, highlight=False, markup=False)
        console.print(
            f"stored as a run of suite {config.suite} under build '{build_id}': "
            f"arena show {build_id} --suite {config.suite}; "
            f"arena leaderboard --suite {config.suite}",
            highlight=False,
        )
