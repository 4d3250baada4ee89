"""`arena eval`: measure MMLU-Pro, GPQA Diamond and HumanEval on the build a server serves."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from arena.bench import slug
from arena.bench.http import Timeouts, make_session
from arena.bench.sanity import pick_model, served_models
from arena.builds import BuildSpec, ensure_build
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
from arena.cli.eval_progress import EvalProgress, result_json, summary_table
from arena.errors import ArenaError
from arena.evals.runner import PROTOCOL, Checkpoint, RunConfig, Task, TaskResult, run_task
from arena.evals.tasks import DEFAULT_SUBSET, build_tasks, default_tasks, parse_tasks
from arena.evals.tasks import quality_record as make_record
from arena.store import Store


def cache_dir(option: Path | None) -> Path:
    """--cache-dir / ARENA_CACHE_DIR, else the platform's user cache dir for arena."""
    if option is not None:
        return option
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("arena", appauthor=False))


def checkpoint_for(root: Path, build: str, model: str, seed: int, task: Task) -> Checkpoint:
    """One file per build, task, protocol, model, budget and full subset (not --limit)."""
    key = hashlib.sha256(
        json.dumps([build, task.name, PROTOCOL, model, task.max_tokens, seed, task.key]).encode()
    ).hexdigest()[:16]
    name = f"{slug(build)}__{task.name}__{PROTOCOL}__{key}.jsonl"
    return Checkpoint(root / "eval" / name, key)


def full_measured_n(store: Store, build_id: str, metric: str) -> int | None:
    """Sample size of the build's stored full (not --limit) measured score, if it has one."""
    view = store.build(build_id)
    for q in view.quality if view else []:
        details = q.details or {}
        mine = q.build_id == build_id and q.metric == metric and q.kind == "measured"
        if mine and not details.get("partial"):
            return int(details.get("n") or 0)
    return None


def not_stored_reason(r: TaskResult, store_partial: bool, full_n: int | None = None) -> str | None:
    """Why this result must not become the build's measured score (None: store it)."""
    # Too many failed requests would store a meaningless low number that then wins the default
    # preference (measured first); a --limit slice is not the protocol's sample unless asked for.
    name = r.task.name
    if r.too_many_failed:
        return (
            f"{name}: {r.failed}/{r.n} requests failed (first: {r.first_error}); score not "
            "stored; rerun with --resume to ask the failed ones again (answered questions are "
            "kept in the checkpoint)"
        )
    if r.task.partial and not store_partial:
        return f"{name}: not stored: partial run (--limit); use --store-partial to store it"
    if r.task.partial and full_n is not None:
        return (
            f"{name}: not stored: the build has a full measured score (n={full_n}); a --limit "
            f"slice (n={r.n}) does not replace it"
        )
    return None


Done = list[tuple[TaskResult, str | None]]  # each result and why it was not stored (None: stored)


async def _evaluate(opts: dict[str, Any], tasks: list[Task], live: EvalProgress) -> Done:
    base = opts["base_url"].rstrip("/")
    timeouts = Timeouts(first_token=opts["timeout"])
    store, build, hw = opts["store"], opts["build"], opts["hardware"]
    done: Done = []
    async with make_session(opts["api_key"], timeouts) as session:
        pick_model(await served_models(session, base), opts["model"], base)
        store.put_build(build, hw, [])  # only once the server answered and serves the model
        cfg = RunConfig(
            session,
            base + "/chat/completions",
            opts["model"],
            concurrency=opts["concurrency"],
            timeout=opts["timeout"],
            on_start=live.start,
            on_item=live.item,
        )
        with live.bar:
            for task in tasks:
                ckpt = opts["checkpoints"][task.name]
                result = await run_task(cfg, task, ckpt, opts["resume"])
                full_n = full_measured_n(store, build.id, task.metric) if task.partial else None
                reason = not_stored_reason(result, opts["store_partial"], full_n)
                if reason is None:
                    rec = make_record(
                        result, build.id, build.base_model, opts["model"], opts["seed"]
                    )
                    store.put_quality([rec])
                done.append((result, reason))
    return done


def _run(opts: dict[str, Any], tasks: list[Task], live: EvalProgress) -> Done:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_evaluate(opts, tasks, live))
    return uvloop.run(_evaluate(opts, tasks, live))


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
    selected = build_tasks(
        names, mmlu_pro_file, gpqa_file, gpqa_password, subset, limit, seed, max_tokens,
        sandbox_timeout,
    )  # fmt: skip
    store = open_store(db)
    build_id = build or slug(model)
    spec = BuildSpec(build_id, name or model, base_model, precision, params_b, None, hardware,
                     hardware_name)  # fmt: skip
    b, hw = ensure_build(store, spec)
    root = cache_dir(cache)
    checkpoints = {t.name: checkpoint_for(root, build_id, model, seed, t) for t in selected}
    opts = {
        "model": model,
        "base_url": base_url,
        "api_key": api_key,
        "seed": seed,
        "concurrency": concurrency,
        "timeout": request_timeout,
        "resume": resume,
        "store": store,
        "build": b,
        "hardware": hw,
        "checkpoints": checkpoints,
        "store_partial": store_partial,
    }
    live = EvalProgress(quiet or as_json)
    t0 = time.perf_counter()
    try:
        done = _run(opts, selected, live)
    except KeyboardInterrupt:
        err_console.print("interrupted: answers so far are checkpointed; rerun with --resume")
        raise typer.Exit(130) from None
    results = [r for r, _ in done]
    if as_json:
        out = {
            "build": build_id,
            "protocol": PROTOCOL,
            "seconds": time.perf_counter() - t0,
            "tasks": {
                r.task.name: result_json(r, checkpoints[r.task.name], why) for r, why in done
            },
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    elif not quiet:
        console.print(summary_table(results, build_id))
    for r, why in done:
        if why is not None:
            err_console.print(
                f"warning: {why}" if r.too_many_failed else why,
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
    if not (as_json or quiet) and any(why is None for _, why in done):
        console.print(f"stored under build '{build_id}': arena show {build_id}", highlight=False)
    if any(r.too_many_failed for r in results):
        raise typer.Exit(1)
