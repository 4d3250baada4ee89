"""`arena bench`: measure a live OpenAI-compatible endpoint with the suite and store each bench."""

from __future__ import annotations

import contextlib
import json
import math
import shlex
import sys
from collections.abc import Iterator
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
from arena.cli.submit import TokenOpt, submit_after_bench, submit_options
from arena.errors import ArenaError
from arena.records import BenchRecord
from arena.verdicts import Flag

EXIT_OK = 0  # every bench measured (flagged unreliable or suspect results included)
EXIT_BAD_INPUT = 1  # a bad option or file, or a server that cannot be used at start
EXIT_USAGE = 2  # the command line does not parse (Click's usage error)
EXIT_BENCH_FAILED = 3  # a bench failed (> 10 % of its requests): stored as a failed attempt
EXIT_SERVER_GONE = 4  # the server went away during the run: finished benches are stored
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT), at any moment
EXIT_CODES = (
    "Exit codes: 0 every bench measured; 1 bad input, or the server cannot be used at start "
    "(not reachable, no answer, model not served); 2 the command line does not parse; 3 a "
    "bench failed (more than 10 % of its requests), stored as a failed attempt of the run, "
    "never as the build's result; 4 the server went away during the run; 130 interrupted."
)


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
    power_interval: Annotated[
        float, typer.Option(help="Seconds between NVML power samples (GPU machines).")
    ] = 1.0,
    submit_to: Annotated[
        str | None,
        typer.Option(
            "--submit",
            help="A board's URL: send the run there once it is stored (30 s per request, 4 "
            "retries; a failed delivery waits in the outbox for arena submit; the bench's "
            "result and exit code are unchanged).",
        ),
    ] = None,
    token: TokenOpt = None,
    quiet: Annotated[bool, typer.Option(help="No progress bars or table.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the stored results as JSON.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Measure a live endpoint with the benches (llama-benchy / vllm bench serve semantics)."""
    with _interrupted("interrupted: nothing measured yet"):
        check_numbers(
            runs=runs,
            first_token_timeout=first_token_timeout,
            token_timeout=token_timeout,
            connect_timeout=connect_timeout,
            vram_gb=vram_gb,
            params_b=params_b,
        )
        if endpoint not in ("chat", "completions"):
            raise ArenaError(f"--endpoint {endpoint!r}: expected 'chat' or 'completions'")
        if not 0 < power_interval <= 1:
            raise ArenaError(f"--power-interval {power_interval}: expected seconds in (0, 1]")
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
        board = submit_options(submit_to, token) if submit_to is not None else None
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
            power_interval=power_interval,
            suite=suite,
            command="arena " + shlex.join(sys.argv[1:]),
        )
    timeouts = config.timeouts
    if not quiet:
        err_console.print(
            f"timeouts: up to {timeouts.answer:g} s per request before its first token "
            f"(--connect-timeout {timeouts.connect:g} + --first-token-timeout "
            f"{timeouts.first_token:g}), then up to {timeouts.between_tokens:g} s between tokens",
            highlight=False,
        )
    try:
        with (
            _interrupted("interrupted: finished benches are stored; rerun with --resume"),
            LiveProgress(quiet or as_json, quiet) as live,
        ):
            result = run_suite(config, store, live)
    except ServerGone as exc:
        err_console.print(
            f"[bold red]error:[/] {exc}; finished benches are stored, rerun with --resume",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_SERVER_GONE) from None
    if resume and selected and len(result.skipped) == len(selected) and not quiet:
        err_console.print("resume: every selected bench is stored; nothing to measure")
    failed = [r for r in result.records if Flag.FAILED in r.flags]
    if as_json:
        view = store.build(build_id, suite=config.suite)
        out = {bid: _json_result(r) for bid, r in (view.results.items() if view else [])}
        attempts = {r.bench_id: _json_result(r) for r in failed}
        doc = {"build": build_id, "benches": out, "failed_attempts": attempts}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    elif not quiet:
        console.print(summary_table(list(result.records), build_id))
        for line in error_lines(list(result.records)):
            console.print(line, highlight=False, markup=False)
        if result.power:
            console.print(result.power, highlight=False, markup=False)
        console.print(
            f"stored as a run of suite {config.suite} under build '{build_id}': "
            f"arena show {build_id} --suite {config.suite}; "
            f"arena leaderboard --suite {config.suite} --hardware {hardware} (scores compare "
            "builds on one hardware)",
            highlight=False,
        )
    if board is not None:
        submit_after_bench(store, board, result.run_id)
    if failed:
        for line in failed_lines(failed):
            err_console.print(line, highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BENCH_FAILED)


def _json_result(r: BenchRecord) -> dict[str, object]:
    """The fields `--json` prints per bench."""
    return {
        "tps_per_user": r.tps_per_user,
        "tps_total": r.tps_total,
        "ttft_p50_ms": r.ttft_p50_ms,
        "completed": r.completed,
        "failed": r.failed,
        "notes": r.notes,
        "flags": [str(f) for f in r.flags],
    }


def failed_lines(records: list[BenchRecord]) -> list[str]:
    """One line per failed bench: how many requests failed and the first reason."""
    lines = []
    for r in records:
        errors = r.distribution.get("errors")
        first = next(iter(errors), None) if isinstance(errors, dict) else None
        why = f"; first reason: {first}" if first else ""
        total = (r.completed or 0) + (r.failed or 0)
        lines.append(
            f"failed: {r.bench_id}: {r.failed or 0}/{total} requests failed{why}; "
            "stored as a failed attempt of this run, not as the build's result"
        )
    return lines


def check_numbers(
    *,
    runs: int | None,
    first_token_timeout: float,
    token_timeout: float,
    connect_timeout: float,
    vram_gb: float | None,
    params_b: float | None,
) -> None:
    """Numeric options checked before anything runs: one line naming the first bad one."""
    if runs is not None and runs < 1:
        raise ArenaError(f"--runs {runs}: expected a whole number of runs, 1 or more")
    seconds = (
        ("--first-token-timeout", first_token_timeout),
        ("--token-timeout", token_timeout),
        ("--connect-timeout", connect_timeout),
    )
    for flag, value in seconds:
        if not (math.isfinite(value) and value > 0):
            raise ArenaError(f"{flag} {value:g}: expected seconds, a finite number above 0")
    for flag, amount in (("--vram-gb", vram_gb), ("--params-b", params_b)):
        if amount is not None and not (math.isfinite(amount) and amount > 0):
            raise ArenaError(f"{flag} {amount:g}: expected a finite number above 0")


@contextlib.contextmanager
def _interrupted(message: str) -> Iterator[None]:
    """Ctrl-C inside the block: one line and exit 130, no traceback."""
    try:
        yield
    except KeyboardInterrupt:
        err_console.print(message, highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
