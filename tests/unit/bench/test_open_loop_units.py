"""Pure pieces of the open loop and the CLI around it: vllm's bucket concurrency, VRAM
precedence with fake readings, telemetry windows, --resume decisions and the exports."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from arena.bench.export import llama_benchy_md, vllm_json
from arena.bench.http import RequestResult, error_counts
from arena.bench.open import length_note, vllm_max_concurrent_requests
from arena.bench.power import BenchPower
from arena.bench.profiles import apply_profile
from arena.bench.suite import bench_params, finish_record, remeasure_reason
from arena.bench.system import (
    DEVICE_WIDE,
    MEMINFO,
    Vram,
    choose_vram,
    in_window,
    pick_reading,
)
from arena.catalog import load_catalog
from arena.cli.bench_progress import error_lines
from arena.records import BenchRecord, Provenance
from arena.verdicts import Flag

CAT = load_catalog(Path("/nonexistent/config.toml"))


# --- finding 19: vllm's max_concurrent_requests ------------------------------------------


def test_vllm_concurrency_counts_requests_per_one_second_bucket() -> None:
    # never more than one request in flight at an instant, but two share bucket 0
    spans = [(0.0, 0.5), (0.6, 1.2), (2.1, 2.2)]
    assert vllm_max_concurrent_requests(spans) == 2


def test_vllm_concurrency_end_bucket_is_inclusive() -> None:
    # [0, 1.0] touches buckets 0 and 1; the second request lives in bucket 1 only
    assert vllm_max_concurrent_requests([(0.0, 1.0), (1.5, 1.9)]) == 2
    assert vllm_max_concurrent_requests([(10.0, 10.2)]) == 1
    assert vllm_max_concurrent_requests([]) == 0


# --- finding 17: error reasons with counts -----------------------------------------------


def failed(reason: str) -> RequestResult:
    return RequestResult(ok=False, error=reason)


def test_error_counts_keep_every_reason_in_first_seen_order() -> None:
    results = [failed("b"), RequestResult(ok=True), failed("a"), failed("b"), failed("c")]
    assert list(error_counts(results).items()) == [("b", 2), ("a", 1), ("c", 1)]


def record(**dist: Any) -> BenchRecord:
    return BenchRecord(
        bench_id="x",
        tps_per_user=None,
        tps_total=None,
        ttft_p50_ms=None,
        ttft_p95_ms=None,
        ttft_mean_ms=None,
        std=None,
        source=Provenance("arena", "0.1", None, "arena bench", "2026-05-05T19:52:42+00:00"),
        distribution=dist,
    )


def test_summary_prints_up_to_three_reasons_with_counts() -> None:
    rec = record(errors={"HTTP 500": 7, "timeout waiting for first token": 2, "c": 1, "d": 1})
    (line,) = error_lines([rec, record(errors={})])
    assert line.startswith("errors in x: 7x HTTP 500; 2x timeout waiting for first token; 1x c")
    assert line.endswith("(+1 more reasons)")


def test_finish_record_keeps_profile_window_and_energy() -> None:
    power = BenchPower([{"t": 5.0, "elapsed_s": 1.0, "power_w": 90.0}], 4.0, 6.0, "NVML", None)
    rec = finish_record(record(total_output_tokens=60), "smoke", power)
    assert rec.distribution["profile"] == "smoke"
    assert rec.distribution["telemetry"] == [{"t": 5.0, "elapsed_s": 1.0, "power_w": 90.0}]
    assert rec.energy is not None
    assert rec.energy.joules_per_output_token == 3.0  # 90 W x 2 s / 60 tokens
    assert "profile: smoke" in rec.notes


def test_finish_record_notes_the_open_loop_length_policy() -> None:
    rec = finish_record(record(ignore_eos=False), "full")
    assert length_note({"ignore_eos": False}) in rec.notes
    assert "telemetry" not in rec.distribution
    assert "not forced" in length_note({"ignore_eos": False})
    assert "forced (--ignore-eos" in length_note({"ignore_eos": True})


# --- finding 18: telemetry per bench window ---------------------------------------------


def test_telemetry_window_takes_only_the_benchs_samples() -> None:
    samples = [{"t": float(t), "power_w": 1.0} for t in (0, 10, 20, 30, 40)]
    assert [s["t"] for s in in_window(samples, 10.0, 30.0)] == [10.0, 20.0, 30.0]
    assert in_window(samples, 41.0, 50.0) == []


# --- finding 13: VRAM precedence, with fake readings --------------------------------------

MANUAL = Vram(30.0, "manual", "--vram-gb")
LOG = Vram(25.5, "engine-log", "vllm.log")
MEASURED = Vram(99.0, "measured", DEVICE_WIDE)
ESTIMATE = Vram(16.0, "estimated", "8 B params x bf16")


@pytest.mark.parametrize(
    ("manual", "log", "stored", "measured", "estimate", "expected"),
    [
        (MANUAL, LOG, LOG, MEASURED, ESTIMATE, MANUAL),
        (None, LOG, MANUAL, MEASURED, ESTIMATE, LOG),
        (None, None, LOG, MEASURED, ESTIMATE, LOG),  # a stored engine-log value survives
        (None, None, MANUAL, MEASURED, ESTIMATE, MANUAL),  # so does a stored manual one
        (None, None, MEASURED, Vram(1.0, "measured", "x"), ESTIMATE, MEASURED),
        (None, None, ESTIMATE, MEASURED, ESTIMATE, MEASURED),  # an estimate gives way
        (None, None, None, None, ESTIMATE, ESTIMATE),
        (None, None, None, None, None, None),
    ],
)
def test_vram_precedence(
    manual: Vram | None,
    log: Vram | None,
    stored: Vram | None,
    measured: Vram | None,
    estimate: Vram | None,
    expected: Vram | None,
) -> None:
    assert choose_vram(manual, log, stored, measured, estimate) == expected


def test_nvml_reading_prefers_the_server_processes() -> None:
    procs = [(100, 20_000_000_000), (200, 5_000_000_000), (300, None)]
    v = pick_reading(procs, 60_000_000_000, None, {200, 300})
    assert v == Vram(5.0, "measured", "NVML per-process (server pid 200)")


def test_nvml_reading_labels_device_wide_values() -> None:
    # server pid unknown, or not listed by the driver: device-wide, labelled as such
    assert pick_reading([(100, 1)], 60_000_000_000, None, set()) == Vram(
        60.0, "measured", DEVICE_WIDE
    )
    assert pick_reading(None, 60_000_000_000, None, {7}) == Vram(60.0, "measured", DEVICE_WIDE)
    assert "all processes" in DEVICE_WIDE


def test_nvml_reading_on_unified_memory_uses_meminfo_labelled() -> None:
    v = pick_reading(None, None, 71.234, {7})
    assert v == Vram(71.23, "measured", MEMINFO)
    assert "all processes" in MEMINFO
    assert pick_reading(None, None, None, set()) is None


# --- finding 12: what --resume skips -----------------------------------------------------


def stored_as(bench_id: str, profile: str, tool: str = "arena", **extra: Any) -> BenchRecord:
    bench = apply_profile(CAT.benches[bench_id], profile)
    dist = json.loads(json.dumps({"bench": bench_params(bench), "profile": profile, "seed": 42}))
    dist |= extra
    rec = record(**dist)
    return dataclasses.replace(rec, source=dataclasses.replace(rec.source, tool=tool))


WANT = {"profile": "full", "seed": 42, "endpoint": "chat"}


def test_resume_skips_only_the_same_measurement() -> None:
    full = CAT.benches["chat"]
    assert remeasure_reason(stored_as("chat", "full"), full, WANT) is None


def test_resume_measures_a_smoke_result_again_on_a_full_run() -> None:
    why = remeasure_reason(stored_as("chat", "smoke"), CAT.benches["chat"], WANT)
    assert why == "stored with other bench parameters (profile smoke)"


@pytest.mark.parametrize("tool", ["llama-benchy", "vllm bench serve"])
def test_resume_measures_imported_results_again(tool: str) -> None:
    why = remeasure_reason(stored_as("chat", "full", tool=tool), CAT.benches["chat"], WANT)
    assert why == f"stored result was imported from {tool}"


def test_resume_measures_suspect_results_again() -> None:
    rec = dataclasses.replace(stored_as("chat", "full"), flags=(Flag.SUSPECT,))
    assert remeasure_reason(rec, CAT.benches["chat"], WANT) == "stored result is suspect"


def test_resume_measures_again_with_another_run_option() -> None:
    rec = stored_as("office-baseline", "full", ignore_eos=False)
    want = {**WANT, "ignore_eos": True}
    why = remeasure_reason(rec, CAT.benches["office-baseline"], want)
    assert why == "stored with ignore_eos False, this run True"
    assert remeasure_reason(None, CAT.benches["chat"], WANT) == "not stored"


# --- finding 19: exports -----------------------------------------------------------------


def closed_rec(concurrency: list[int]) -> BenchRecord:
    rows = [
        {
            "prompt_tokens": 1024,
            "output_tokens": 128,
            "depth": 0,
            "concurrency": c,
            "pp_tps_total": 1000.0,
            "pp_tps_total_std": 1.0,
            "pp_tps_req": 900.0,
            "pp_tps_req_std": 2.0,
            "ttfr_ms": 100.0,
            "ttfr_ms_std": 3.0,
            "e2e_ttft_ms": 110.0,
            "e2e_ttft_ms_std": 4.0,
            "tg_tps_total": 50.0,
            "tg_tps_total_std": 0.5,
            "tg_tps_req": 45.0,
            "tg_tps_req_std": 0.25,
            "peak_tps": 55.0,
            "peak_tps_std": 0.0,
            "peak_tps_req": 52.0,
            "peak_tps_req_std": 0.0,
        }
        for c in concurrency
    ]
    return dataclasses.replace(record(), rows=rows)


def table(md: str) -> list[list[str]]:
    lines = [ln for ln in md.splitlines() if ln.startswith("|")]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]


def test_llama_benchy_md_at_concurrency_one_has_llama_benchys_short_columns() -> None:
    head, _, pp, tg = table(llama_benchy_md(closed_rec([1]), "m"))
    assert head == [
        "model",
        "test",
        "t/s",
        "peak t/s",
        "ttfr (ms)",
        "est_ppt (ms)",
        "e2e_ttft (ms)",
    ]
    assert pp == ["m", "pp1024", "1000.00 ± 1.00", "", "100.00 ± 3.00", "", "110.00 ± 4.00"]
    assert tg == ["m", "tg128", "50.00 ± 0.50", "55.00 ± 0.00", "", "", ""]


def test_llama_benchy_md_above_one_has_all_columns_and_c_suffix() -> None:
    rows = table(llama_benchy_md(closed_rec([1, 2]), "m"))
    assert rows[0] == [
        "model",
        "test",
        "t/s (total)",
        "t/s (req)",
        "peak t/s",
        "peak t/s (req)",
        "ttfr (ms)",
        "est_ppt (ms)",
        "e2e_ttft (ms)",
    ]
    assert [r[1] for r in rows[2:]] == ["pp1024 (c1)", "tg128 (c1)", "pp1024 (c2)", "tg128 (c2)"]
    assert rows[3][2:6] == ["50.00 ± 0.50", "45.00 ± 0.25", "55.00 ± 0.00", "52.00 ± 0.00"]


@pytest.mark.parametrize(("endpoint", "kind"), [("chat", "openai-chat"), ("completions", "openai")])
def test_vllm_json_names_the_real_endpoint(endpoint: str, kind: str) -> None:
    rec = record(endpoint=endpoint, errors={"HTTP 500": 2}, peak_in_flight=3, completed=5)
    out = vllm_json(rec, "m")
    assert (out["endpoint_type"], out["backend"]) == (kind, kind)
    assert out["errors"] == ["HTTP 500", "HTTP 500"]
    assert "peak_in_flight" not in out
    assert out["completed"] == 5
