"""`arena eval` with a real model: SmolLM2-135M on llama.cpp, a 20-question MMLU-Pro slice and 3
HumanEval problems; the full path works and the measured scores are stored with their CIs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arena.store import Store
from tests.conftest import MMLU_PRO_FILE
from tests.conftest import arena_in as arena
from tests.servers import llamacpp as servers

llamacpp_smollm2 = servers.llamacpp_smollm2

pytestmark = pytest.mark.slow

BUILD = "smollm2-135m-q4_1"


def run_eval(srv: servers.LlamaCppServer, tmp: Path, *args: str) -> dict[str, Any]:
    res = arena(
        tmp, "eval", "--base-url", srv.base_url, "--model", servers.SMOLLM2_ALIAS, "--build",
        BUILD, "--params-b", "0.135", "--precision", "q4_1", "--concurrency", "4", "--json",
        "--store-partial", *args,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def check(r: dict[str, Any], n: int) -> None:
    """Sane counts and a Wilson interval around the accuracy."""
    assert r["n"] == n
    assert r["asked"] == n
    assert r["failed"] == 0
    assert 0 <= r["correct"] <= n
    low, high = r["ci95"]
    assert low <= r["accuracy"] <= high
    assert high - low > 10  # n this small cannot give a narrow interval
    assert r["questions_per_minute"] > 0


def test_mmlu_pro_and_humaneval_slices(
    llamacpp_smollm2: servers.LlamaCppServer, tmp_path: Path
) -> None:
    if not MMLU_PRO_FILE.is_file():
        pytest.skip(f"{MMLU_PRO_FILE} not present")
    mmlu = run_eval(
        llamacpp_smollm2, tmp_path, "--tasks", "mmlu-pro", "--mmlu-pro-file", str(MMLU_PRO_FILE),
        "--limit", "20", "--max-tokens", "64",
    )["tasks"]["mmlu-pro"]  # fmt: skip
    check(mmlu, 20)
    assert mmlu["no_answer"] < 20  # the tolerant regex reads a real model's answers
    code = run_eval(
        llamacpp_smollm2, tmp_path, "--tasks", "humaneval", "--limit", "3", "--max-tokens", "128"
    )["tasks"]["humaneval"]
    check(code, 3)
    view = Store.open(str(tmp_path / "a.db")).build(BUILD)
    assert view is not None
    stored = {q.metric: q for q in view.quality if q.kind == "measured"}
    assert set(stored) == {"mmlu_pro", "humaneval"}
    for q, r in ((stored["mmlu_pro"], mmlu), (stored["humaneval"], code)):
        assert q.build_id == BUILD
        assert q.value == pytest.approx(round(r["accuracy"], 2))
        assert q.details is not None
        assert q.details["ci95_low"] == pytest.approx(round(r["ci95"][0], 2))
        assert q.details["ci95_high"] == pytest.approx(round(r["ci95"][1], 2))
        assert q.details["model"] == servers.SMOLLM2_ALIAS
    assert stored["humaneval"].details is not None
    sandboxes = ("namespaces+uid", "uid+rlimits", "rlimits-only")
    assert stored["humaneval"].details["sandbox"] in sandboxes
    shown = json.loads(arena(tmp_path, "show", BUILD, "--format", "json").stdout)
    for metric in ("mmlu_pro", "humaneval"):
        (entry,) = [e for e in shown["quality"][metric] if e["kind"] == "measured"]
        assert entry["source"] == "arena eval v1"
        assert entry["build_specific"] is True
        assert "95% CI" in entry["note"]
        assert entry["note"].startswith("partial: first ")
