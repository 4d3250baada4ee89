"""vllm bench serve JSON against the real D/H/I/J files of the DGX Spark runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arena.errors import ArenaError
from arena.importers import parse_vllm_bench
from arena.importers.vllm_bench import KNOWN_FIELDS, distribution, iso_date
from arena.verdicts import Flag
from tests.unit.importers.paths import RESULTS, needs_shared

QWEN = RESULTS / "qwen-3.5" / "qwen-3.5-0.8b" / "bf16"
SUPER = RESULTS / "nemotron-3" / "nemotron-3-super-120b-a12b" / "nvfp4"


@needs_shared
def test_reasoning_file_headline_and_ttft() -> None:
    path = QWEN / "D_reasoning.json"
    raw = json.loads(path.read_text())
    record = parse_vllm_bench(path, "reasoning", command="vllm bench serve ...")
    assert record.bench_id == "reasoning"
    assert record.tps_per_user == 1000 / raw["median_tpot_ms"]
    assert record.tps_per_user == pytest.approx(94.2028, abs=1e-4)
    assert record.tps_total == raw["output_throughput"]
    assert record.ttft_p50_ms == raw["p50_ttft_ms"]
    assert record.ttft_p95_ms == 126.73331676342059
    assert record.ttft_mean_ms == raw["mean_ttft_ms"]
    assert record.std is None
    assert (record.completed, record.failed) == (50, 0)
    assert record.source.date == "2026-05-04T21:12:49"
    assert record.source.command == "vllm bench serve ..."
    assert record.source.file == "D_reasoning.json"
    assert any("one run" in n for n in record.notes)
    assert record.distribution["p99_e2el_ms"] == raw["p99_e2el_ms"]
    assert record.distribution["max_concurrency"] is None
    assert set(record.distribution) == set(raw)


@needs_shared
def test_office_baseline_file() -> None:
    path = QWEN / "H_office-baseline.json"
    raw = json.loads(path.read_text())
    record = parse_vllm_bench(path, "office-baseline")
    assert record.tps_per_user == 1000 / raw["median_tpot_ms"]
    assert record.ttft_p95_ms == raw["p95_ttft_ms"]
    assert record.distribution["request_rate"] == 0.3
    assert record.distribution["burstiness"] == 0.7


@needs_shared
def test_spec_decode_list_is_dropped() -> None:
    record = parse_vllm_bench(SUPER / "H_office-baseline.json", "office-baseline")
    assert "spec_decode_acceptance_rate" in record.distribution
    assert "spec_decode_per_position_acceptance_rates" not in record.distribution


def test_distribution_keeps_known_scalars_only() -> None:
    data = {
        "completed": 3,
        "p99.9_ttft_ms": 1.5,
        "median_itl_ms": 2.0,
        "label": None,
        "ttfts": [0.1, 0.2],
        "itls": [[0.01]],
        "generated_texts": ["x"],
        "brand_new_field": 7,
    }
    assert distribution(data) == {
        "completed": 3,
        "p99.9_ttft_ms": 1.5,
        "median_itl_ms": 2.0,
        "label": None,
    }
    assert "ttfts" not in KNOWN_FIELDS


def test_iso_date() -> None:
    assert iso_date("20260504-211249") == "2026-05-04T21:12:49"
    assert iso_date("yesterday") is None
    assert iso_date(None) is None


def test_zero_completed_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "J.json"
    path.write_text(json.dumps({"median_tpot_ms": 0.0, "output_throughput": 0.0, "completed": 0}))
    with pytest.raises(ArenaError, match="field 'completed' = 0; expected at least 1 request"):
        parse_vllm_bench(path, "monday-peak")


@pytest.mark.parametrize("tpot", ["NaN", "Infinity", "-1.0", "0"])
def test_non_finite_or_non_positive_tpot_is_rejected(tmp_path: Path, tpot: str) -> None:
    path = tmp_path / "J.json"
    path.write_text('{"median_tpot_ms": ' + tpot + ', "output_throughput": 5.0, "completed": 3}')
    with pytest.raises(ArenaError, match="median_tpot_ms"):
        parse_vllm_bench(path, "monday-peak")


@pytest.mark.parametrize(
    ("completed", "failed", "flagged"),
    [(198, 102, True), (270, 30, False), (269, 31, True), (300, 0, False)],
)
def test_more_than_ten_percent_failed_is_flagged_unreliable(
    tmp_path: Path, completed: int, failed: int, flagged: bool
) -> None:
    # 198 of 300 is the shape of a suite-v2 run the leaderboard showed with no flag
    path = tmp_path / "J.json"
    body = {"median_tpot_ms": 40.0, "output_throughput": 90.0, "completed": completed}
    path.write_text(json.dumps({**body, "failed": failed}))
    record = parse_vllm_bench(path, "monday-peak")
    assert (Flag.UNRELIABLE in record.flags) is flagged
    verdict = [n for n in record.notes if n.startswith("unreliable")]
    assert verdict == ([f"unreliable: {failed}/300 requests failed (> 10%)"] if flagged else [])
