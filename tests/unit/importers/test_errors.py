"""Broken copies of each input format give one ArenaError naming the file and the field/line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from arena.catalog import load_catalog
from arena.errors import ArenaError
from arena.importers import (
    parse_csv,
    parse_json,
    parse_markdown,
    parse_vllm_bench,
    read_dataset,
    read_suite,
)
from tests.unit.importers.paths import FIXTURES, RESULTS, needs_shared

QWEN = RESULTS / "qwen-3.5" / "qwen-3.5-0.8b" / "bf16"
CATALOG = load_catalog(Path("/nonexistent/config.toml"))


def copy_run(dest: Path) -> Path:
    """A writable copy of one real run directory (the originals are read-only)."""
    run = dest / "qwen-3.5-0.8b" / "bf16"
    run.mkdir(parents=True)
    for src in QWEN.iterdir():
        (run / src.name).write_bytes(src.read_bytes())
    return run


@needs_shared
def test_truncated_table(tmp_path: Path) -> None:
    text = (QWEN / "A_context-scaling.md").read_text()
    cut = text.index("|   tg256 (c10) |     181.77") + 30
    broken = tmp_path / "A_context-scaling.md"
    broken.write_text(text[:cut])
    line = text[:cut].count("\n") + 1
    with pytest.raises(ArenaError, match=rf"^{re.escape(str(broken))}:{line}: table row has"):
        parse_markdown(broken)


@needs_shared
def test_bad_cell(tmp_path: Path) -> None:
    text = (QWEN / "C_output-throughput.md").read_text()
    broken = tmp_path / "C.md"
    broken.write_text(text.replace("109.93 ± 0.77", "abc ± x", 1))
    line = text[: text.index("109.93 ± 0.77")].count("\n") + 1
    with pytest.raises(ArenaError, match=rf"C\.md:{line}: column 't/s \(total\)'.*'abc ± x'"):
        parse_markdown(broken)


def test_no_table(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("# nothing here\n")
    with pytest.raises(ArenaError, match=r"empty\.md: no llama-benchy results table"):
        parse_markdown(path)


def test_unknown_test_name() -> None:
    text = "| model | test | t/s |\n|--|--|--|\n| m | warmup | 1.0 |\n"
    with pytest.raises(ArenaError, match=r"x\.md:3: test 'warmup'"):
        parse_markdown(Path("x.md"), text)


@needs_shared
def test_vllm_json_missing_field(tmp_path: Path) -> None:
    data = json.loads((QWEN / "D_reasoning.json").read_text())
    del data["median_tpot_ms"]
    path = tmp_path / "D_reasoning.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ArenaError, match=r"D_reasoning\.json: field 'median_tpot_ms': missing"):
        parse_vllm_bench(path, "reasoning")


@needs_shared
def test_vllm_json_wrong_type(tmp_path: Path) -> None:
    data = json.loads((QWEN / "H_office-baseline.json").read_text())
    data["median_tpot_ms"] = "abc"
    path = tmp_path / "H.json"
    path.write_text(json.dumps(data))
    expected = f"{path}: field 'median_tpot_ms': expected a finite number, got 'abc'"
    with pytest.raises(ArenaError, match=f"^{re.escape(expected)}$"):
        parse_vllm_bench(path, "office-baseline")


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "J.json"
    path.write_text('{\n  "completed": 3,\n  oops\n}\n')
    with pytest.raises(ArenaError, match=r"J\.json: line 3, column 3: not valid JSON"):
        parse_vllm_bench(path, "monday-peak")


def test_llama_benchy_json_bad_metric(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "chat_0.4.json").read_text())
    data["benchmarks"][2]["tg_req_throughput"] = {"mean": "fast"}
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ArenaError, match=r"chat\.json: benchmarks\[2\]\.tg_req_throughput"):
        parse_json(path)


def test_llama_benchy_csv_bad_cell(tmp_path: Path) -> None:
    text = (FIXTURES / "chat_0.4.csv").read_text().replace("41.28", "n/a")
    path = tmp_path / "chat.csv"
    path.write_text(text)
    with pytest.raises(ArenaError, match=r"chat\.csv:7: column 't_s_req_mean'.*'n/a'"):
        parse_csv(path)


@needs_shared
def test_meta_json_missing(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    (run / "meta.json").unlink()
    with pytest.raises(ArenaError, match=r"bf16/meta\.json: missing"):
        read_suite(run, CATALOG)


@needs_shared
def test_meta_json_broken(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    meta = json.loads((run / "meta.json").read_text())
    del meta["vllm_image"]
    (run / "meta.json").write_text(json.dumps(meta, indent=2))
    with pytest.raises(ArenaError, match=r"meta\.json: field 'vllm_image'"):
        read_suite(run, CATALOG)


@needs_shared
def test_broken_bench_file_in_suite(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    (run / "I_sharegpt-replay.json").write_text("not json at all")
    with pytest.raises(ArenaError, match=r"I_sharegpt-replay\.json: line 1"):
        read_suite(run, CATALOG)


@needs_shared
def test_missing_md_falls_back_to_log(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    (run / "C_output-throughput.md").unlink()
    chat = next(r for r in read_suite(run, CATALOG).results if r.bench_id == "chat")
    assert chat.source.file == "C_output-throughput.log"
    assert chat.source.command is None


@needs_shared
def test_table_cut_before_reference_tg_row(tmp_path: Path) -> None:
    run = copy_run(tmp_path)
    path = run / "A_context-scaling.md"
    text = path.read_text()
    path.write_text(text[: text.index("| qwen3.5-0.8b-bf16 |   tg256 (c10) |     181.77")])
    with pytest.raises(ArenaError, match=r"A_context-scaling\.md.*\(pp=25000, depth=0, c=10\)"):
        read_suite(run, CATALOG)


@pytest.mark.parametrize("bad", ["<script>x</script>", "../../etc/passwd", "org/model", "Caps", 5])
def test_dataset_build_id_follows_the_importer_rule(tmp_path: Path, bad: object) -> None:
    bundled = (
        Path(__file__).resolve().parents[3] / "src" / "arena" / "dataset" / "dgx_spark_v2.json"
    )
    data = json.loads(bundled.read_text())
    data["builds"][2]["id"] = bad
    path = tmp_path / "d.json"
    path.write_text(json.dumps(data))
    said = f"field 'id': build id {bad!r}: " if isinstance(bad, str) else f"field 'id' = {bad!r}"
    want = rf"^{re.escape(str(path))}: builds\[2\]: {re.escape(said)}"
    with pytest.raises(ArenaError, match=want):
        read_dataset(path)
    data["builds"][2]["id"] = "org-model"  # the same file with a slug id reads
    path.write_text(json.dumps(data))
    assert read_dataset(path).dataset.builds[2].id == "org-model"
