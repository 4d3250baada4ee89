"""llama-benchy parsers against the real DGX Spark files and our 0.4.x fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arena.catalog import Bench, load_catalog
from arena.errors import ArenaError
from arena.importers import parse_csv, parse_json, parse_markdown, to_record
from tests.unit.importers.paths import FIXTURES, RESULTS, needs_shared

QWEN = RESULTS / "qwen-3.5" / "qwen-3.5-0.8b" / "bf16"


def bench(bench_id: str) -> Bench:
    """A built-in catalog bench (no user config)."""
    return load_catalog(Path("/nonexistent/config.toml")).benches[bench_id]


def row_at(rows: list[dict[str, Any]], pp: int, depth: int, c: int) -> dict[str, Any]:
    """The single row at one (prompt, depth, concurrency) point."""
    found = [
        r for r in rows if (r["prompt_tokens"], r["depth"], r["concurrency"]) == (pp, depth, c)
    ]
    assert len(found) == 1
    return found[0]


@needs_shared
def test_markdown_a_file_exact_numbers() -> None:
    parsed = parse_markdown(QWEN / "A_context-scaling.md")
    assert len(parsed.rows) == 12
    row = row_at(parsed.rows, 25000, 0, 10)
    assert row["tg_tps_req"] == 36.05
    assert row["tg_tps_req_std"] == 16.58
    assert row["tg_tps_total"] == 181.77
    assert row["pp_tps_total"] == 20281.22
    assert row["peak_tps"] == 628.67
    assert row["e2e_ttft_ms"] == 6184.23
    assert row["output_tokens"] == 256
    assert row["file"] == "A_context-scaling.md"
    assert parsed.tool_version == "0.3.7"
    assert parsed.date == "2026-05-04T23:00:20"
    assert parsed.model == "qwen3.5-0.8b-bf16"
    assert parsed.command is not None
    assert "--pp 4096 8192 16384 25000" in parsed.command


@needs_shared
def test_markdown_depth_form() -> None:
    parsed = parse_markdown(QWEN / "E_multi-turn.md")
    assert [(r["prompt_tokens"], r["depth"], r["concurrency"]) for r in parsed.rows] == [
        (2048, 4, 1),
        (2048, 4, 5),
        (2048, 4, 10),
    ]
    row = row_at(parsed.rows, 2048, 4, 10)
    assert (row["tg_tps_req"], row["tg_tps_total"], row["output_tokens"]) == (91.43, 728.51, 512)


@needs_shared
def test_log_form_equals_md_rows() -> None:
    from_md = parse_markdown(QWEN / "A_context-scaling.md")
    from_log = parse_markdown(QWEN / "A_context-scaling.log")
    strip = [{k: v for k, v in r.items() if k != "file"} for r in from_md.rows]
    assert [{k: v for k, v in r.items() if k != "file"} for r in from_log.rows] == strip
    assert from_log.tool_version == "0.3.7"
    assert from_log.date == "2026-05-04T23:00:20"
    assert from_log.command is None


def test_bare_table_without_concurrency_suffix() -> None:
    text = (
        "| model | test | t/s | ttfr (ms) | est_ppt (ms) | e2e_ttft (ms) |\n"
        "|:--|--:|--:|--:|--:|--:|\n"
        "| m | pp2048 | 2019.02 ± 34.98 | 1054.64 ± 17.57 | 1014.66 ± 17.57 | 1115.41 ± 18.70 |\n"
        "| m | tg32 | 52.94 | | | |\n"
        "| m | ctx_pp @ d4096 | 99.0 ± 1.0 | 1.0 ± 0.1 | 1.0 ± 0.1 | 1.0 ± 0.1 |\n"
        "| m | pp2048 @ d4096 | 1994.49 ± 77.97 | 3129.18 ± 120.27 | 3089.19 ± 120.27 | 3198.97 |\n"
        "| m | tg32 @ d4096 | 46.69 ± 1.11 | | | |\n"
    )
    parsed = parse_markdown(Path("bare.md"), text)
    assert len(parsed.rows) == 2
    first, second = parsed.rows
    assert first["concurrency"] == 1
    assert (first["tg_tps_total"], first["tg_tps_total_std"]) == (52.94, None)
    assert first["tg_tps_req"] == 52.94  # c1: per request = total
    assert first["peak_tps"] is None
    assert (second["depth"], second["e2e_ttft_ms"], second["e2e_ttft_ms_std"]) == (
        4096,
        3198.97,
        None,
    )
    assert parsed.skipped == ["ctx_pp @ d4096"]


@needs_shared
def test_to_record_big_context_headline() -> None:
    record = to_record(parse_markdown(QWEN / "A_context-scaling.md"), bench("big-context"), "A.md")
    assert record.bench_id == "big-context"
    assert (record.tps_per_user, record.std, record.tps_total) == (36.05, 16.58, 181.77)
    assert record.ttft_mean_ms == 6184.23
    assert record.ttft_p50_ms is None
    assert record.ttft_p95_ms is None
    assert any("mean ± std only" in n for n in record.notes)
    assert record.source.tool == "llama-benchy"
    assert record.source.file == "A.md"


@needs_shared
def test_to_record_missing_reference_point_names_file() -> None:
    parsed = parse_markdown(QWEN / "B_concurrency-stress.md")  # pp25000 only, c5/10/20
    with pytest.raises(ArenaError, match=r"B_x\.md.*\(pp=1024, depth=0, c=10\)"):
        to_record(parsed, bench("chat"), "B_x.md")


def test_json_fixture() -> None:
    parsed = parse_json(FIXTURES / "chat_0.4.json")
    assert (parsed.tool_version, parsed.date) == ("0.4.1", "2026-05-10T14:03:11")
    assert parsed.model == "example-model-fp8"
    row = row_at(parsed.rows, 1024, 0, 10)
    assert (row["tg_tps_req"], row["tg_tps_req_std"], row["tg_tps_total"]) == (41.28, 2.71, 402.77)
    assert (row["peak_tps"], row["peak_tps_req"], row["e2e_ttft_ms"]) == (468.3, 49.6, 1314.05)
    record = to_record(parsed, bench("chat"), "chat_0.4.json")
    assert (record.tps_per_user, record.std, record.ttft_mean_ms) == (41.28, 2.71, 1314.05)


def test_csv_fixture_matches_json() -> None:
    from_csv = parse_csv(FIXTURES / "chat_0.4.csv")
    from_json = parse_json(FIXTURES / "chat_0.4.json")
    drop = {"file"}
    assert [{k: v for k, v in r.items() if k not in drop} for r in from_csv.rows] == [
        {k: v for k, v in r.items() if k not in drop} for r in from_json.rows
    ]
    assert from_csv.model == "example-model-fp8"
