"""Suite v2 run directories read end to end, each number checked against the raw files parsed
here independently (csv, json, regex; none of the importer's helpers)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from functools import cache
from pathlib import Path

import pytest

from arena.catalog import load_catalog
from arena.importers import read_suite, read_suite_runs, suite_dirs
from arena.records import BenchRecord, SuiteImport
from arena.verdicts import Flag
from tests.unit.importers.paths import (
    RESULTS,
    V2_RESULTS,
    V2_RUN_DIRS,
    needs_shared,
    needs_v2,
)

CATALOG = load_catalog(Path("/nonexistent/config.toml"))
V2_BENCHES = CATALOG.suites["v2"].bench_ids
LIMITS = (2000, 5000, 10000)
IDS = {"ids": lambda p: f"{p.parent.name}/{p.name}"}


@cache
def imported(run_dir: Path) -> SuiteImport:
    return read_suite(run_dir, CATALOG)


def bench(imp: SuiteImport, bench_id: str) -> BenchRecord:
    return next(r for r in imp.results if r.bench_id == bench_id)


def meta(run_dir: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((run_dir / "meta.json").read_text("utf-8"))


def sweep(run_dir: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((run_dir / "11-rate-sweep.json").read_text("utf-8"))


def telemetry(path: Path) -> tuple[float, float, float, int, float]:
    """mean W, peak W, peak °C, samples, last elapsed_s, by the csv module."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    watts = [float(r["power_w"]) for r in rows]
    return (
        sum(watts) / len(watts),
        max(watts),
        max(float(r["temp_c"]) for r in rows),
        len(rows),
        float(rows[-1]["elapsed_s"]),
    )


def md_tokens(md: Path) -> int:
    """runs x c x tg over the tg lines of a llama-benchy markdown table."""
    text = md.read_text("utf-8")
    runs = int(re.search(r"--runs (\d+)", text).group(1))  # type: ignore[union-attr]
    table = text[text.index("| model") :]
    table = table[: table.index("llama-benchy (")]
    lines = re.findall(r"\|\s*tg(\d+)(?: @ d\d+)? \(c(\d+)\)\s*\|", table)
    return sum(runs * int(c) * int(tg) for tg, c in lines)


@needs_v2
def test_thirty_v2_runs_found_and_a_tree_of_both_suites_reads() -> None:
    assert len(V2_RUN_DIRS) == 30
    both = suite_dirs(V2_RESULTS.parents[1])
    assert len(both) == 53
    runs = read_suite_runs(V2_RESULTS / "qwen-3.5", CATALOG).runs
    assert [imp.run.suite for _, imp in runs if imp.run] == ["v2"] * 4


@needs_v2
@pytest.mark.parametrize("run_dir", V2_RUN_DIRS, **IDS)
def test_every_v2_run_imports_with_its_run_facts(run_dir: Path) -> None:
    imp = imported(run_dir)
    m = meta(run_dir)
    run = imp.run
    assert run is not None
    assert (run.suite, run.engine, run.origin) == ("v2", "vllm", "user")
    assert imp.build.id == f"{run_dir.parent.name}-{run_dir.name}"
    # the version the server reported, not the image tag
    assert run.engine_version == m["vllm_version_reported"] == imp.build.engine_version
    assert run.tool_versions == {
        "vllm": m["vllm_version_reported"],
        "llama-benchy": m["llama_benchy_version"],
    }
    assert run.environment == {
        "driver_version": m["driver_version"],
        "vbios_version": m["vbios_version"],
        "image": m["vllm_image"],
    }
    assert run.date == m["generated_at"]
    for key, value in m["server_config"].items():
        assert run.server_config[key] == value
    assert re.fullmatch(r"r[0-9a-f]{20}", run.id)
    assert set(run.source_files) == {p.name for p in run_dir.iterdir()}
    ids = [r.bench_id for r in imp.results]
    if sweep(run_dir)["steps"]:
        assert ids == list(V2_BENCHES)
    else:
        assert ids == [b for b in V2_BENCHES if b != "rate-sweep"]
        assert "11-rate-sweep.json: no step was measured; bench 'rate-sweep' absent" in (
            imp.warnings
        )
    for w in imp.warnings:  # nothing else is odd in these runs
        assert w.startswith(("_bootlog.txt: vLLM 0.19", "11-rate-sweep.json: no step"))


@needs_v2
@pytest.mark.parametrize("run_dir", V2_RUN_DIRS, **IDS)
def test_energy_per_bench_equals_the_telemetry_and_the_result_files(run_dir: Path) -> None:
    imp = imported(run_dir)
    for record in imp.results:
        n = V2_BENCHES.index(record.bench_id) + 1
        csv_path = run_dir / f"{n:02d}-telemetry.csv"
        mean, peak, temp, samples, span = telemetry(csv_path)
        e = record.energy
        assert e is not None
        assert e.source == csv_path.name
        assert e.mean_power_w == pytest.approx(mean, abs=0.005)
        assert (e.peak_power_w, e.peak_temp_c, e.samples) == (peak, temp, samples)
        stem = next(run_dir.glob(f"{n:02d}-*.md")).stem
        if record.bench_id == "rate-sweep":
            results = [json.loads(p.read_text()) for p in run_dir.glob("11-rate-sweep-*.json")]
            if len(results) == len(sweep(run_dir)["steps"]):
                duration = sum(r["duration"] for r in results)
                tokens = sum(r["total_output_tokens"] for r in results)
            else:
                duration, tokens = span, None
        elif (run_dir / f"{stem}.json").is_file():
            result = json.loads((run_dir / f"{stem}.json").read_text())
            duration, tokens = result["duration"], result["total_output_tokens"]
        else:
            duration, tokens = span, md_tokens(run_dir / f"{stem}.md")
        assert e.duration_s == pytest.approx(duration)
        assert e.output_tokens == tokens
        if tokens:
            assert e.joules_per_output_token == pytest.approx(mean * duration / tokens, abs=1e-4)
            assert e.tokens_per_watt == pytest.approx(tokens / duration / mean, abs=1e-4)
        else:
            assert e.joules_per_output_token is None


@needs_v2
@pytest.mark.parametrize("run_dir", V2_RUN_DIRS, **IDS)
def test_rate_sweep_steps_and_capacity(run_dir: Path) -> None:
    data = sweep(run_dir)
    imp = imported(run_dir)
    if not data["steps"]:
        assert "rate-sweep" not in [r.bench_id for r in imp.results]
        return
    record = bench(imp, "rate-sweep")
    steps = record.distribution["steps"]
    assert [s["offered_rps"] for s in steps] == [s["configured_rps"] for s in data["steps"]]
    for mine, raw in zip(steps, data["steps"], strict=True):
        assert (mine["achieved_rps"], mine["completed"], mine["total"]) == (
            raw["achieved_rps"],
            raw["completed"],
            raw["total_requests"],
        )
        assert (mine["ttft_p50_ms"], mine["ttft_p95_ms"], mine["ttft_p99_ms"]) == (
            raw["ttft_p50_ms"],
            raw["ttft_p95_ms"],
            raw["ttft_p99_ms"],
        )
        assert (mine["output_tps"], mine["peak_concurrency"]) == (
            raw["output_tps"],
            raw["peak_concurrent"],
        )
        per_rate = run_dir / f"11-rate-sweep-{raw['configured_rps']}.json"
        if per_rate.is_file():
            vllm = json.loads(per_rate.read_text())
            assert round(vllm["p95_ttft_ms"], 1) == mine["ttft_p95_ms"]
    for entry, limit in zip(record.distribution["capacity"], LIMITS, strict=True):
        under = [s for s in data["steps"] if s["ttft_p95_ms"] < limit]
        best = max(under, key=lambda s: s["configured_rps"]) if under else None
        theirs = data["capacity_by_slo_ms"][str(limit)]
        assert entry["ttft_p95_limit_ms"] == limit
        assert entry["offered_rps"] == (best["configured_rps"] if best else None)
        assert entry["offered_rps"] == (theirs["configured_rps"] if theirs else None)
        if best is None:
            assert entry["met"] is False
            assert entry["note"] == f"no step has p95 TTFT under {limit // 1000} s"
        else:
            assert (entry["achieved_rps"], entry["ttft_p95_ms"]) == (
                best["achieved_rps"],
                best["ttft_p95_ms"],
            )
    five = data["capacity_by_slo_ms"]["5000"]
    assert record.tps_per_user is None
    assert record.tps_total == (five["output_tps"] if five else None)
    assert record.completed == sum(s["completed"] for s in data["steps"])
    assert record.failed == sum(s["total_requests"] - s["completed"] for s in data["steps"])
    assert record.distribution["aborted_at_rps"] == data.get("aborted_at_rps")


@needs_v2
@pytest.mark.parametrize("run_dir", V2_RUN_DIRS, **IDS)
def test_concurrency_stress_is_the_tg_row_at_c20(run_dir: Path) -> None:
    text = (run_dir / "06-concurrency-stress.md").read_text("utf-8")
    row = re.search(r"^\|[^|]*\|\s*tg256 \(c20\)\s*\|([^|]*)\|([^|]*)\|", text, re.MULTILINE)
    assert row is not None
    total, per_req = (float(c.strip().split(" ± ")[0]) for c in row.groups())
    record = bench(imported(run_dir), "concurrency-stress")
    assert (record.tps_per_user, record.tps_total) == (per_req, total)
    assert record.source.tool_version == "0.4.0"


@needs_v2
@pytest.mark.parametrize("run_dir", V2_RUN_DIRS, **IDS)
def test_sanity_verdict_from_the_kept_answer(run_dir: Path) -> None:
    sanity = imported(run_dir).run.sanity  # type: ignore[union-attr]
    raw, txt = run_dir / "_sanity-raw.json", run_dir / "_sanity.txt"
    assert sanity is not None
    if not raw.is_file() and not txt.is_file():
        assert (sanity.verdict, sanity.answer) == ("not-checked", None)
        return
    if raw.is_file():
        # the runner cuts some raw files off mid-string: read the first message field by regex
        found = re.search(r'"(?:content|reasoning)":"((?:[^"\\]|\\.)+)', raw.read_text("utf-8"))
        assert found is not None
        assert sanity.source == "_sanity-raw.json"
        assert sanity.answer is not None
        assert sanity.answer.startswith(found.group(1).split("\\")[0])
        answer = sanity.answer
    else:
        answer = txt.read_text("utf-8").strip()
        assert (sanity.source, sanity.answer) == ("_sanity.txt", answer)
    garbage = len(set(answer.strip())) == 1  # the one broken answer here: 256 x '#'
    assert sanity.verdict == ("suspect" if garbage else "ok")
    flagged = [Flag.SUSPECT in r.flags for r in imported(run_dir).results]
    assert flagged == [garbage] * len(flagged)


@needs_v2
def test_one_broken_answer_and_one_unreliable_bench_in_the_v2_data() -> None:
    suspect = [d for d in V2_RUN_DIRS if imported(d).run.sanity.verdict == "suspect"]  # type: ignore[union-attr]
    assert [f"{d.parent.name}/{d.name}" for d in suspect] == ["ministral-3-3b-instruct/bf16"]
    omni = V2_RESULTS / "nemotron-3" / "nemotron-3-nano-omni-30b-a3b-reasoning" / "fp8"
    raw = json.loads((omni / "10-monday-peak.json").read_text())
    peak = bench(imported(omni), "monday-peak")
    assert (peak.completed, peak.failed) == (raw["completed"], raw["failed"]) == (198, 102)
    assert Flag.UNRELIABLE in peak.flags


@needs_v2
@pytest.mark.parametrize(
    "run_dir", [d for d in V2_RUN_DIRS if (d / "_bootlog.txt").is_file()], **IDS
)
def test_a_v2_bootlog_from_vllm_019_is_not_used_for_vram(run_dir: Path) -> None:
    boot = (run_dir / "_bootlog.txt").read_text("utf-8")
    assert "Model loading took" in boot
    assert "version 0.19" in boot
    assert meta(run_dir)["vllm_version_reported"] == "0.26.0"
    imp = imported(run_dir)
    assert (imp.build.vram_gb, imp.build.vram_source) == (None, None)
    assert imp.run is not None
    assert imp.run.vram_gb is None
    assert any(w.startswith("_bootlog.txt: vLLM 0.19") for w in imp.warnings)


@needs_v2
def test_a_crash_log_never_counts_for_vram() -> None:
    run_dir = V2_RESULTS / "nemotron-3" / "nemotron-3-nano-30b-a3b" / "nvfp4"
    crash = (run_dir / "_server-crash.log").read_text("utf-8")
    assert "Model loading took" in crash
    assert "version 0.26.0" in crash
    assert imported(run_dir).build.vram_gb is None


@needs_shared
def test_a_v1_bootlog_of_a_nightly_image_still_counts() -> None:
    imp = read_suite(RESULTS / "qwen-3.6" / "qwen-3.6-35b-a3b" / "bf16", CATALOG)
    assert (imp.build.vram_gb, imp.build.vram_source) == (69.46, "_bootlog.txt")
    assert imp.run is not None
    assert imp.run.suite == "v1"


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@needs_v2
def test_unknown_files_are_listed_in_one_line(tmp_path: Path) -> None:
    run = _copy(V2_RESULTS / "qwen-3.5" / "qwen-3.5-2b" / "bf16", tmp_path / "qwen-3.5-2b" / "bf16")
    (run / "notes.txt").write_text("mine")
    (run / "12-extra.md").write_text("# not a test of v2")
    imp = read_suite(run, CATALOG)
    assert imp.warnings == ["files suite v2 does not know (not read): 12-extra.md, notes.txt"]
    assert len(imp.results) == 11
    assert imp.run is not None
    assert "notes.txt" not in imp.run.source_files


@needs_v2
def test_same_files_same_run_id_and_a_changed_file_another(tmp_path: Path) -> None:
    src = V2_RESULTS / "gemma-4" / "gemma-4-e2b-it" / "bf16"
    first = imported(src).run
    copy = _copy(src, tmp_path / "elsewhere" / "bf16")
    again = read_suite(copy, CATALOG).run
    assert first is not None
    assert again is not None
    assert again.id == first.id
    assert again.source_files == first.source_files
    with (copy / "01-telemetry.csv").open("a") as fh:
        fh.write("999,50.0,60,2400,90,1000\n")
    changed = read_suite(copy, CATALOG).run
    assert changed is not None
    assert changed.id != first.id
    assert changed.source_files["01-telemetry.csv"] != first.source_files["01-telemetry.csv"]


@needs_v2
def test_display_names_and_bases_of_v2_builds() -> None:
    names = {
        f"{d.parent.name}/{d.name}": (imported(d).build.name, imported(d).build.base_model)
        for d in V2_RUN_DIRS
    }
    assert names["gemma-4-31b-it/nvfp4"] == ("Gemma 4 31B IT · NVFP4", "google/gemma-4-31B-it")
    assert names["qwen-3.5-0.8b/bf16"] == ("Qwen 3.5 0.8B · BF16", "Qwen/Qwen3.5-0.8B")
    assert names["qwen-3.6-35b-a3b/nvfp4"] == (
        "Qwen 3.6 35B-A3B · NVFP4",
        "Qwen/Qwen3.6-35B-A3B",
    )
    assert names["nemotron-3-super-120b-a12b/nvfp4"][0].endswith("· NVFP4 + MTP")
    assert names["gemma-4-26b-a4b-it/bf16-v23"][0] == "Gemma 4 26B-A4B IT · BF16 · v23"
    assert len({n for n, _ in names.values()}) == 30


@needs_v2
def test_an_unseen_model_in_v2_layout_imports(tmp_path: Path) -> None:
    src = V2_RESULTS / "qwen-3.5" / "qwen-3.5-2b" / "bf16"
    run = tmp_path / "foo-7b-instruct" / "bf16"
    run.mkdir(parents=True)
    for name in ("01-chat.md", "01-telemetry.csv", "07-office-baseline.json"):
        shutil.copy(src / name, run / name)
    m = meta(src)
    m.update(model="acme/Foo-7B-Instruct", served_name="foo-7b", vllm_version_reported="0.27.1")
    (run / "meta.json").write_text(json.dumps(m))
    imp = read_suite(run, CATALOG)
    assert imp.build.id == "foo-7b-instruct-bf16"
    assert imp.build.name == "Foo 7B Instruct · BF16"
    assert imp.build.base_model == "acme/Foo-7B-Instruct"
    assert imp.run is not None
    assert (imp.run.suite, imp.run.engine_version) == ("v2", "0.27.1")
    assert imp.run.sanity is not None
    assert imp.run.sanity.verdict == "not-checked"
    assert [r.bench_id for r in imp.results] == ["chat", "office-baseline"]
    assert bench(imp, "chat").energy is not None
    assert bench(imp, "office-baseline").energy is None  # no 07-telemetry.csv kept
    absent = [w for w in imp.warnings if w.endswith("absent")]
    assert len(absent) == len(V2_BENCHES) - 2
