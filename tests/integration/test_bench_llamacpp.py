"""`arena bench --profile smoke` end to end against real llama.cpp servers (tiny, SmolLM2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from arena.bench.profiles import apply_profile
from arena.catalog import load_catalog
from arena.errors import ArenaError
from arena.importers import parse_markdown, parse_vllm_bench, to_record
from tests.servers import llamacpp as servers

llamacpp_tiny = servers.llamacpp_tiny
llamacpp_smollm2 = servers.llamacpp_smollm2

pytestmark = pytest.mark.slow


def arena(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "arena", *args],
        capture_output=True,
        text=True,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )


# A headline rate needs two chunks read apart. The tiny model makes its 12 tokens in well under
# a millisecond, so a client that the machine holds back reads them all at once; the record then
# has no rate and says why. What holds under any load: the requests, their tokens and the notes.
NO_RATE = ("no decode rate at the reference point", "no TPOT measured")


def assert_headline(b: dict[str, Any]) -> None:
    """A positive tok/s, or none with the note that says why."""
    if b["tps_per_user"] is None:
        assert any(n.startswith(NO_RATE) for n in b["notes"]), b["notes"]
    else:
        assert b["tps_per_user"] > 0


def test_smoke_suite_tiny_model_all_eleven_v2_benches_with_a_three_step_sweep(
    llamacpp_tiny: servers.LlamaCppServer, tmp_path: Path
) -> None:
    db = str(tmp_path / "a.db")
    out = tmp_path / "exports"
    res = arena(
        "bench",
        "--base-url",
        llamacpp_tiny.base_url,
        "--model",
        "tiny-llama",
        "--build",
        "tiny-llama-f32",
        "--profile",
        "smoke",
        "--params-b",
        "0.001",
        "--precision",
        "fp32",
        "--export-dir",
        str(out),
        "--db",
        db,
    )
    assert res.returncode == 0, res.stderr
    detail = json.loads(
        arena("show", "tiny-llama-f32", "--suite", "v2", "--format", "json", "--db", db).stdout
    )
    benches = detail["benches"]
    v2 = load_catalog(tmp_path / "none.toml").suites["v2"].bench_ids
    assert list(benches) == list(v2)
    assert all(benches[b] is not None for b in benches), benches
    for bench_id, b in benches.items():
        assert b["failed"] == 0, (bench_id, b["notes"])
        assert b["completed"] > 0, bench_id
        assert "output tokens counted from usage" in b["notes"]
        if bench_id != "rate-sweep":
            assert_headline(b)
        assert b["source"]["tool"] == "arena"
        assert "--profile smoke" in b["source"]["command"]
    # the sweep: three steps at the smoke profile's rates, every request answered, and a
    # capacity entry per limit computed from those steps
    sweep = benches["rate-sweep"]
    assert sweep["tps_per_user"] is None
    steps = sweep["distribution"]["steps"]
    assert [s["offered_rps"] for s in steps] == [2.0, 6.0, 20.0]
    assert [(s["completed"], s["total"]) for s in steps] == [(2, 2), (3, 3), (10, 10)]
    assert sweep["completed"] == 15
    cap = sweep["distribution"]["capacity"]
    assert [c["ttft_p95_limit_ms"] for c in cap] == [2000, 5000, 10000]
    for c in cap:
        under = [s["offered_rps"] for s in steps if s["ttft_p95_ms"] < c["ttft_p95_limit_ms"]]
        assert c["offered_rps"] == max(under, default=None)
    stress = benches["concurrency-stress"]
    assert [(r["prompt_tokens"], r["concurrency"]) for r in stress["rows"]] == [(48, 2)]
    chat = benches["chat"]
    assert chat["rows"][0]["concurrency"] == 1
    # the row's TTFT: the record's columns are empty when the answer came in one read
    assert chat["rows"][0]["ttft_p50_ms"] > 0
    for bench_id in ("chat", "long-output", "big-context", "multi-turn", "rag-8k"):
        # llama.cpp honours ignore_eos: every closed request gave the smoke cap of 12 tokens
        assert all(r["mean_output_tokens"] == 12 for r in benches[bench_id]["rows"]), bench_id
    assert benches["office-baseline"]["distribution"]["token_source"] == "usage"
    assert benches["office-baseline"]["distribution"]["prompt_lengths"] == "tokenize"
    board = json.loads(
            arena(
                "leaderboard", "--suite", "v2", "--hardware", "local", "--format", "json",
                "--db", db,
            ).stdout
        )  # fmt: skip
    mine = next(r for r in board["rows"] if r["model"] == "tiny-llama-f32")
    # Aggregate counts its benches that have a per-user headline (the sweep has none)
    aggregate = load_catalog(tmp_path / "none.toml").presets["aggregate"].benches
    assert mine["benches_measured"] == sum(
        benches[b]["tps_per_user"] is not None for b in aggregate
    )
    assert mine["benches_total"] == len(aggregate) == 10
    assert mine["throughput_tps"] >= 0
    # exports read back with our own importers give the same headline
    cat = load_catalog(tmp_path / "none.toml")
    smoke_chat = apply_profile(cat.benches["chat"], "smoke")
    stored = benches["chat"]["tps_per_user"]
    if stored is None:  # no decode rate measured: the export has no tg figure to import
        with pytest.raises(ArenaError, match="no tg row at reference point"):
            to_record(parse_markdown(out / "chat.md"), smoke_chat, "chat.md")
    else:
        again = to_record(parse_markdown(out / "chat.md"), smoke_chat, "chat.md")
        assert again.tps_per_user == pytest.approx(stored, abs=0.01)
    stored = benches["reasoning"]["tps_per_user"]
    if stored is None:  # no TPOT measured: the export says 0, which the importer refuses
        with pytest.raises(ArenaError, match="'median_tpot_ms' = 0; expected > 0"):
            parse_vllm_bench(out / "reasoning.json", "reasoning")
    else:
        vj = parse_vllm_bench(out / "reasoning.json", "reasoning")
        assert vj.tps_per_user == pytest.approx(stored, rel=1e-6)


def test_smoke_suite_smollm2_sanity_and_ranking(
    llamacpp_smollm2: servers.LlamaCppServer, tmp_path: Path
) -> None:
    db = str(tmp_path / "b.db")
    res = arena(
        "bench",
        "--base-url",
        llamacpp_smollm2.base_url,
        "--model",
        "smollm2-135m-instruct",
        "--build",
        "smollm2-135m-q4_1",
        "--profile",
        "smoke",
        "--suite",
        "v1",
        "--benches",
        "chat,office-baseline",
        "--params-b",
        "0.135",
        "--precision",
        "q4_1",
        "--json",
        "--db",
        db,
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert set(data["benches"]) == {"chat", "office-baseline"}
    for b in data["benches"].values():
        assert b["failed"] == 0
        assert_headline(b)
        assert not any(n.startswith("suspect") for n in b["notes"]), b["notes"]
    args = ["--suite", "v1", "--hardware", "local", "--preset", "chat", "--bucket", "small"]
    args += ["--format", "json"]
    board = json.loads(arena("leaderboard", *args, "--db", db).stdout)
    assert "smollm2-135m-q4_1" in [r["model"] for r in board["rows"]]
