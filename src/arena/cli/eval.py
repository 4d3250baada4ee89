"""`arena eval`: measure MMLU-Pro, GPQA Diamond and HumanEval on the build a server serves."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from arena.builds import BuildSpec, slug
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
from arena.cli.eval_progress import EvalProgress, eval_json, summary_table
from arena.errors import ArenaError
from arena.evals import (
    DEFAULT_SUBSET,
    EvalConfig,
    EvalResult,
    default_tasks,
    evaluate,
    load_tasks,
    parse_tasks,
)


def eval_cmd(
    model: Annotated[str, typer.Option("--model", help="Served model name (see /v1/models).")],
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url", envvar="OPENAI_BASE_URL", help="OpenAI-compatible base URL ending in /v1."
        ),
    ] = "http://127.0.0.1:8000/v1",
    api_key: Annotated[str | None, typer.Option("--api-key", envvar="OPENAI_API_KEY")] = None,
    build: Annotated[
        str | None, typer.Option(help="Build id to store under (created if new).")
    ] = None,
    tasks: Annotated[
        str | None,
        typer.Option(
            help="Comma list of humaneval, mmlu-pro, gpqa (default: humaneval plus every task "
            "whose data file is given)."
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1, help="Ask only the first N questions of each task (not stored by default)."
        ),
    ] = None,
    store_partial: Annotated[
        bool,
        typer.Option(
            "--store-partial", help="Store --limit results too (marked partial, n of the subset)."
        ),
    ] = False,
    subset: Annotated[
        int,
        typer.Option(min=0, help="MMLU-Pro: size of the seeded stratified subset (0: all)."),
    ] = DEFAULT_SUBSET,
    mmlu_pro_file: Annotated[
        Path | None, typer.Option("--mmlu-pro-file", help="MMLU-Pro test JSONL(.gz) or parquet.")
    ] = None,
    gpqa_file: Annotated[
        Path | None, typer.Option("--gpqa-file", help="gpqa_diamond.csv or the official zip.")
    ] = None,
    gpqa_password: Annotated[
        str | None,
        typer.Option("--gpqa-password", envvar="ARENA_GPQA_PASSWORD", help="Password of the zip."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight at once.")] = 8,
    seed: Annotated[int, typer.Option(help="Seed for the subset and GPQA choice order.")] = 42,
    max_tokens: Annotated[
        int | None,
        typer.Option("--max-tokens", min=1, help="Output budget (default 2048; HumanEval 1024)."),
    ] = None,
    request_timeout: Annotated[
        float, typer.Option(help="Seconds allowed for one answer.")
    ] = 1800.0,
    sandbox_timeout: Annotated[
        float, typer.Option(help="Seconds allowed for one HumanEval test run.")
    ] = 10.0,
    resume: Annotated[
        bool, typer.Option(help="Keep the answers of an interrupted run; ask the rest.")
    ] = False,
    cache: Annotated[
        Path | None,
        typer.Option("--cache-dir", envvar="ARENA_CACHE_DIR", help="Where checkpoints live."),
    ] = None,
    name: NameOpt = None,
    base_model: BaseModelOpt = None,
    precision: PrecisionOpt = None,
    params_b: ParamsOpt = None,
    hardware: HardwareOpt = "local",
    hardware_name: HardwareNameOpt = None,
    quiet: Annotated[bool, typer.Option(help="No progress bars or table.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Measure quality on the served build (temperature 0, 0-shot) and store it as measured."""
    try:
        names = parse_tasks(tasks or default_tasks(mmlu_pro_file, gpqa_file))
    except ValueError as exc:
        raise ArenaError(f"--tasks: {exc}") from None
    spec = BuildSpec(build or slug(model), name or model, base_model, precision, params_b, None,
                     hardware, hardware_name)  # fmt: skip
    config = EvalConfig(
        model=model,
        base_url=base_url,
        api_key=api_key,
        build=spec,
        tasks=tuple(names),
        mmlu_pro_file=mmlu_pro_file,
        gpqa_file=gpqa_file,
        gpqa_password=gpqa_password,
        subset=subset,
        limit=limit,
        seed=seed,
        max_tokens=max_tokens,
        concurrency=concurrency,
        request_timeout=request_timeout,
        sandbox_timeout=sandbox_timeout,
        resume=resume,
        store_partial=store_partial,
        cache_dir=cache,
    )
    selected = load_tasks(config)  # every data file checked before the store is opened
    store = open_store(db)
    live = EvalProgress(quiet or as_json)
    try:
        with live:
            result = evaluate(config, store, on_progress=live, tasks=selected)
    except KeyboardInterrupt:
        err_console.print("interrupted: answers so far are checkpointed; rerun with --resume")
        raise typer.Exit(130) from None
    _render(result, quiet, as_json)
    if result.too_many_failed:
        raise typer.Exit(1)


def _render(result: EvalResult, quiet: bool, as_json: bool) -> None:
    """The table or JSON on stdout, one line per score not stored or with failures on stderr."""
    if as_json:
        sys.stdout.write(json.dumps(eval_json(result), indent=2) + "\n")
    elif not quiet:
        console.print(summary_table([run.result for run in result.tasks], result.build_id))
    for run in result.tasks:
        r = run.result
        if run.not_stored is not None:
            err_console.print(
                f"warning: {run.not_stored}" if r.too_many_failed else run.not_stored,
                highlight=False,
                soft_wrap=True,
                markup=False,
            )
        elif r.failed:
            err_console.print(
                f"warning: {r.task.name}: {r.failed}/{r.n} requests failed "
                "(counted as wrong; rerun with --resume to ask them again)",
                highlight=False,
                soft_wrap=True,
                markup=False,
            )
    if not (as_json or quiet) and result.stored:
        console.print(
            f"stored under build '{result.build_id}': arena show {result.build_id}",
            highlight=False,
        )
