"""`arena eval` end to end on the scripted server: exact scores, CIs, budget, faults, resume."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from arena.evals.stats import wilson
from arena.evals.tasks import gpqa_task, humaneval_task, mmlu_pro_task
from arena.store import Store
from tests.conftest import MMLU_PRO_FILE
from tests.conftest import arena_in as arena
from tests.servers.scripted_qa import MODEL, ScriptedQA, behaviour, expected_correct

SUBSET = 120
BUILD = "scripted-build"


def run_eval(tmp: Path, srv: ScriptedQA, *args: str, code: int = 0) -> dict[str, Any]:
    """`arena eval --json` against the server; the parsed output (exit status `code`)."""
    res = arena(
        tmp, "eval", "--base-url", srv.base_url, "--model", MODEL, "--build", BUILD, "--json", *args
    )
    assert res.returncode == code, res.stderr
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def expected(prompts: list[str], max_tokens: int) -> Counter[str]:
    """What a correct grader must count, from the server's own script."""
    c: Counter[str] = Counter()
    for p in prompts:
        kind = behaviour(p)
        c["correct"] += expected_correct(kind, max_tokens)
        c["failed"] += kind == "http500"
        cut = kind == "ramble" and not expected_correct(kind, max_tokens)
        c["cut_off"] += cut
        c["no_answer"] += kind == "garbled" or cut
    return c


@pytest.fixture(scope="module")
def mmlu() -> tuple[list[str], dict[str, str]]:
    """The prompts of the seeded subset and the answer key (prompt -> gold letter)."""
    if not MMLU_PRO_FILE.is_file():
        pytest.skip(f"{MMLU_PRO_FILE} not present")
    task = mmlu_pro_task(MMLU_PRO_FILE, SUBSET, None, 42, None)
    return [it.prompt for it in task.items], {it.prompt: it.gold for it in task.items}


def mmlu_args(max_tokens: int, *extra: str) -> tuple[str, ...]:
    return ("--tasks", "mmlu-pro", "--mmlu-pro-file", str(MMLU_PRO_FILE), "--subset",
            str(SUBSET), "--max-tokens", str(max_tokens), *extra)  # fmt: skip


def test_mmlu_pro_exact_score_ci_and_store(
    mmlu: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    prompts, key = mmlu
    want = expected(prompts, 64)
    assert want["failed"] > 0  # the script covers every fault on this subset
    assert want["cut_off"] > 0
    with ScriptedQA(key, delay=0.01) as srv:
        out = run_eval(tmp_path, srv, *mmlu_args(64, "--concurrency", "4"))
        assert srv.stats.max_active <= 4
        assert srv.stats.max_active >= 2
        assert {b["temperature"] for b in srv.stats.bodies} == {0.0}
        assert {b["max_tokens"] for b in srv.stats.bodies} == {64}
    r = out["tasks"]["mmlu-pro"]
    assert r["n"] == SUBSET
    assert r["correct"] == want["correct"]
    assert r["failed"] == want["failed"]
    assert r["cut_off"] == want["cut_off"]
    assert r["no_answer"] == want["no_answer"]
    low, high = wilson(want["correct"], SUBSET)
    assert r["ci95"] == pytest.approx([low * 100, high * 100])
    assert r["subset"] == f"stratified {SUBSET}/12032 by category, seed 42"
    view = Store.open(str(tmp_path / "a.db")).build(BUILD)
    assert view is not None
    (q,) = [q for q in view.quality if q.kind == "measured"]
    assert q.metric == "mmlu_pro"
    assert q.value == pytest.approx(round(100 * want["correct"] / SUBSET, 2))
    assert q.source == "arena eval v1"
    assert q.details is not None
    assert q.details["n"] == SUBSET
    assert q.details["ci95_low"] == pytest.approx(round(low * 100, 2))
    assert q.details["ci95_high"] == pytest.approx(round(high * 100, 2))
    assert q.details["cut_off"] == want["cut_off"]
    assert q.details["failed_requests"] == want["failed"]
    assert q.details["temperature"] == 0.0
    assert q.details["seed"] == 42
    shown = json.loads(arena(tmp_path, "show", BUILD, "--format", "json").stdout)
    assert shown["quality"]["mmlu_pro"][0]["kind"] == "measured"


def test_bigger_budget_lets_the_ramble_finish(
    mmlu: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    prompts, key = mmlu
    want = expected(prompts, 400)
    with ScriptedQA(key) as srv:
        r = run_eval(tmp_path, srv, *mmlu_args(400))["tasks"]["mmlu-pro"]
    assert r["cut_off"] == 0
    assert r["correct"] == want["correct"]
    assert r["correct"] > expected(prompts, 64)["correct"]


def measured(tmp: Path) -> list[Any]:
    """The measured quality records stored for the test build."""
    view = Store.open(str(tmp / "a.db")).build(BUILD)
    return [] if view is None else [q for q in view.quality if q.kind == "measured"]


def test_limit_then_resume_asks_only_the_rest(
    mmlu: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    """The first 30 have 4 HTTP 500s (> 10 %): not stored, exit 1; resume asks the rest and the
    failed ones, and the full, healthy run is stored."""
    prompts, key = mmlu
    failed_first = sum(behaviour(p) == "http500" for p in prompts[:30])
    assert failed_first > 3
    with ScriptedQA(key) as srv:
        first = run_eval(tmp_path, srv, *mmlu_args(64, "--limit", "30"), code=1)
        stored_first = measured(tmp_path)
        again = run_eval(tmp_path, srv, *mmlu_args(64, "--resume"))["tasks"]["mmlu-pro"]
        requests = srv.stats.requests
    r = first["tasks"]["mmlu-pro"]
    assert r["n"] == 30
    assert r["subset"].endswith("first 30 (--limit)")
    assert r["stored"] is False
    assert stored_first == []
    assert again["asked"] == SUBSET - 30 + failed_first  # failed requests are asked again
    assert requests == 30 + again["asked"]
    assert again["correct"] == expected(prompts, 64)["correct"]
    assert again["stored"] is True
    assert len(measured(tmp_path)) == 1


def test_all_requests_failing_is_not_a_measured_zero(
    mmlu: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    """HTTP 500 for every question: table, one warning line, exit 1, nothing stored; a resume
    against a healthy server asks them all again and stores the real score."""
    prompts, key = mmlu
    cmd = ("eval", "--base-url", "", "--model", MODEL, "--build", BUILD, *mmlu_args(64))
    with ScriptedQA(key, fail_status=500) as broken:
        res = arena(tmp_path, *(broken.base_url if a == "" else a for a in cmd))
    warnings = [line for line in res.stderr.splitlines() if line.startswith("warning:")]
    assert res.returncode == 1
    assert "mmlu-pro" in res.stdout
    assert "stored under build" not in res.stdout
    assert len(warnings) == 1
    assert f"mmlu-pro: {SUBSET}/{SUBSET} requests failed (first: HTTP 500" in warnings[0]
    assert "not stored" in warnings[0]
    assert "--resume" in warnings[0]
    assert measured(tmp_path) == []
    with ScriptedQA(key) as healthy:
        again = run_eval(tmp_path, healthy, *mmlu_args(64, "--resume"))["tasks"]["mmlu-pro"]
    assert again["asked"] == SUBSET
    assert again["correct"] == expected(prompts, 64)["correct"]
    (q,) = measured(tmp_path)
    assert q.value == pytest.approx(round(100 * again["correct"] / SUBSET, 2))


def test_partial_run_is_stored_only_with_store_partial(
    mmlu: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    """--limit: a slice is not stored unless asked, and then it says it is partial."""
    _, key = mmlu
    base = ("eval", "--model", MODEL, "--build", BUILD, *mmlu_args(64, "--limit", "20"))
    with ScriptedQA(key, rules=((60, "correct"), (100, "wrong"))) as srv:  # no failures
        plain = arena(tmp_path, *base, "--base-url", srv.base_url)
        stored_plain = measured(tmp_path)
        kept = arena(tmp_path, *base, "--base-url", srv.base_url, "--store-partial")
    assert plain.returncode == 0, plain.stderr
    assert (
        "mmlu-pro: not stored: partial run (--limit); use --store-partial to store it"
        in plain.stderr
    )
    assert stored_plain == []
    assert kept.returncode == 0, kept.stderr
    (q,) = measured(tmp_path)
    assert q.note.startswith(f"partial: first 20 of {SUBSET} (--limit)")
    assert q.details["partial"] is True
    assert q.details["partial_of"] == SUBSET
    assert q.details["n"] == 20


def test_a_slice_never_replaces_a_full_measured_score(
    mmlu: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    _, key = mmlu
    with ScriptedQA(key, rules=((60, "correct"), (100, "wrong"))) as srv:
        run_eval(tmp_path, srv, *mmlu_args(64))
        (full,) = measured(tmp_path)
        sliced = arena(tmp_path, "eval", "--base-url", srv.base_url, "--model", MODEL, "--build",
                       BUILD, *mmlu_args(64, "--limit", "20", "--store-partial"))  # fmt: skip
    assert sliced.returncode == 0, sliced.stderr
    assert (
        f"mmlu-pro: not stored: the build has a full measured score (n={SUBSET}); a --limit "
        "slice (n=20) does not replace it" in sliced.stderr
    )
    (after,) = measured(tmp_path)
    assert (after.value, after.details["n"]) == (full.value, SUBSET)


def test_unknown_model_is_one_clear_error(tmp_path: Path) -> None:
    with ScriptedQA() as srv:
        res = arena(tmp_path, "eval", "--base-url", srv.base_url, "--model", "nope", "--limit", "1")
    assert res.returncode == 1
    assert "'nope' is not served" in res.stderr


# -- GPQA: synthetic, invented questions only ------------------------------------------------

SECRET = "zebra-quartz"  # appears in every invented question; must never be printed


def write_gpqa_csv(path: Path, n: int = 40) -> Path:
    """A GPQA-format CSV of invented questions (the real ones must never be committed)."""
    cols = ["Record ID", "Question", "Correct Answer", "Incorrect Answer 1",
            "Incorrect Answer 2", "Incorrect Answer 3", "Subdomain"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for i in range(n):
            w.writerow([f"rec{i:03d}", f"{SECRET} question {i}: which value fits?",
                        f"{SECRET} right {i}", f"wrong a{i}", f"wrong b{i}", f"wrong c{i}",
                        "Invented"])  # fmt: skip
    return path


def gpqa_key(path: Path) -> tuple[list[str], dict[str, str]]:
    task = gpqa_task(path, None, None, 42, None)
    return [it.prompt for it in task.items], {it.prompt: it.gold for it in task.items}


def test_gpqa_csv_scores_and_never_shows_questions(tmp_path: Path) -> None:
    data = write_gpqa_csv(tmp_path / "gpqa_diamond.csv")
    prompts, key = gpqa_key(data)
    with ScriptedQA(key) as srv:
        res = arena(tmp_path, "eval", "--base-url", srv.base_url, "--model", MODEL, "--build",
                    BUILD, "--tasks", "gpqa", "--gpqa-file", str(data))  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert SECRET not in res.stdout + res.stderr
    ckpts = list((tmp_path / "cache" / "eval").glob("*gpqa*.jsonl"))
    assert len(ckpts) == 1
    assert SECRET not in ckpts[0].read_text()
    view = Store.open(str(tmp_path / "a.db")).build(BUILD)
    assert view is not None
    (q,) = [q for q in view.quality if q.metric == "gpqa_diamond"]
    assert q.details is not None
    assert q.details["correct"] == expected(prompts, 2048)["correct"]
    assert SECRET not in json.dumps(q.details) + (q.note or "")


def test_gpqa_bad_row_error_names_row_not_text(tmp_path: Path) -> None:
    data = write_gpqa_csv(tmp_path / "g.csv", 3)
    rows = data.read_text().splitlines()
    rows[2] = rows[2].replace("wrong a1", "")
    data.write_text("\n".join(rows) + "\n")
    res = arena(tmp_path, "eval", "--model", MODEL, "--tasks", "gpqa", "--gpqa-file", str(data))
    assert res.returncode == 1
    assert "row 3: column 'Incorrect Answer 1' is empty" in res.stderr
    assert SECRET not in res.stderr


@pytest.mark.skipif(shutil.which("zip") is None, reason="zip(1) not installed")
def test_gpqa_password_zip(tmp_path: Path) -> None:
    data = write_gpqa_csv(tmp_path / "gpqa_diamond.csv", 20)
    archive = tmp_path / "dataset.zip"
    subprocess.run(
        ["zip", "-q", "-j", "-P", "s3cret", str(archive), str(data)], check=True, cwd=tmp_path
    )
    prompts, key = gpqa_key(data)
    base = ("eval", "--model", MODEL, "--build", BUILD, "--tasks", "gpqa", "--gpqa-file",
            str(archive))  # fmt: skip
    nopw = arena(tmp_path, *base)
    assert "encrypted; give --gpqa-password" in nopw.stderr
    wrong = arena(tmp_path, *base, "--gpqa-password", "nope")
    assert "wrong --gpqa-password" in wrong.stderr
    with ScriptedQA(key) as srv:
        res = arena(tmp_path, *base, "--gpqa-password", "s3cret", "--base-url", srv.base_url,
                    "--json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)["tasks"]["gpqa"]
    assert r["correct"] == expected(prompts, 2048)["correct"]
    assert SECRET not in res.stdout + res.stderr + nopw.stderr + wrong.stderr


# -- HumanEval --------------------------------------------------------------------------------


def test_humaneval_pass_at_1_through_the_sandbox(tmp_path: Path) -> None:
    from arena.evals.humaneval import load_problems

    task = humaneval_task(16, None)
    right = sum(behaviour(it.id) == "correct" for it in task.items)
    assert 0 < right < 16
    with ScriptedQA(problems=load_problems()) as srv:
        r = run_eval(tmp_path, srv, "--tasks", "humaneval", "--limit", "16")
    h = r["tasks"]["humaneval"]
    assert h["n"] == 16
    assert h["correct"] == right
    assert h["max_tokens"] == 1024
    assert h["not_stored"].endswith("use --store-partial to store it")


def test_humaneval_sandbox_error_is_a_failed_request_not_a_wrong_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sandbox that cannot start grades nothing: the questions are failed requests (asked again
    on resume), never wrong answers."""
    import aiohttp

    from arena.evals import sandbox
    from arena.evals.humaneval import load_problems
    from arena.evals.runner import Checkpoint, RunConfig, run_task
    from arena.evals.sandbox import run as sandbox_run

    setup = sandbox_run._get_setup()
    if setup.mode == sandbox.FULL:
        monkeypatch.setitem(setup.tools, "unshare", "/nonexistent/unshare")
    else:
        monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    task = humaneval_task(4, None)

    async def go(url: str) -> Any:
        async with aiohttp.ClientSession() as session:
            cfg = RunConfig(session, url + "/chat/completions", MODEL, concurrency=2)
            return await run_task(cfg, task, Checkpoint(tmp_path / "c.jsonl", "k"), False)

    import asyncio

    with ScriptedQA(problems=load_problems()) as srv:
        result = asyncio.run(go(srv.base_url))
    assert result.failed == 4
    assert result.correct == 0
    assert result.too_many_failed
    assert result.first_error is not None
    assert result.first_error.startswith("grading failed: sandbox error: could not start")
