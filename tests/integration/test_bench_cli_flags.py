"""`arena bench` CLI against the reference server: --resume decisions, profile notes, error
reasons, VRAM precedence, per-bench telemetry and the endpoint in the vllm export."""

from __future__ import annotations

import json
from pathlib import Path

from arena.importers.llama_benchy_json import parse_json
from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    ArenaCli,
    arena_cli_fixture,
    ref_server_fixture,
    template_db_fixture,
)
from tests.servers.reference import ReferenceServer


def build_info(arena_cli: ArenaCli) -> dict[str, object]:
    data = arena_cli.show()
    info: dict[str, object] = data.get("build", data)
    return info


# --- finding 12 -------------------------------------------------------------------------


def test_every_measured_result_names_its_profile(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    res = arena_cli.bench(ref_server.base_url, "--benches", "chat,office-baseline")
    assert res.returncode == 0, res.stderr
    for bench in ("chat", "office-baseline"):
        assert arena_cli.distribution(bench)["profile"] == "smoke"
        assert "profile: smoke" in arena_cli.show()["benches"][bench]["notes"]


def test_resume_measures_again_when_parameters_differ(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    first = arena_cli.bench(ref_server.base_url, "--benches", "chat,long-output")
    assert first.returncode == 0, first.stderr
    chat_before = arena_cli.show()["benches"]["chat"]
    n = ref_server.stats.requests
    # same smoke parameters for chat, other --runs for long-output
    args = arena_cli.bench_args(ref_server.base_url, "--benches", "chat", "--resume", quiet=False)
    same = arena_cli.run(*args)
    assert same.returncode == 0, same.stderr
    assert "resume: skipping stored chat" in same.stderr
    assert "nothing to measure" in same.stderr
    assert ref_server.stats.requests == n  # no sanity question, no probe: nothing was sent
    assert arena_cli.show()["benches"]["chat"] == chat_before
    # with --runs 2 the stored smoke result (runs 1) is another measurement
    again = arena_cli.run(*args, "--runs", "2")
    assert again.returncode == 0, again.stderr
    assert "resume: measuring again chat (stored with other bench parameters" in again.stderr
    assert arena_cli.distribution("chat")["bench"]["runs"] == 2
    assert ref_server.stats.requests > n


def test_resume_measures_again_with_ignore_eos_changed(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    first = arena_cli.bench(ref_server.base_url, "--benches", "office-baseline")
    assert first.returncode == 0, first.stderr
    args = arena_cli.bench_args(
        ref_server.base_url, "--benches", "office-baseline", "--resume", "--ignore-eos", quiet=False
    )
    again = arena_cli.run(*args)
    assert again.returncode == 0, again.stderr
    assert "stored with ignore_eos False, this run True" in again.stderr
    assert arena_cli.distribution("office-baseline")["ignore_eos"] is True


# --- finding 17 -------------------------------------------------------------------------


def test_error_reasons_printed_under_the_table_and_all_stored(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.fault = "http500"
    args = arena_cli.bench_args(ref_server.base_url, "--benches", "chat", quiet=False)
    res = arena_cli.run(*args)
    assert res.returncode == 3, res.stderr  # the bench failed
    errors = arena_cli.distribution("chat")["errors"]
    assert len(errors) == 1
    (reason,) = errors
    assert reason.startswith("HTTP 500")
    assert errors[reason] == 3  # smoke chat: c = 1 then c = 2, all failed
    assert f"errors in chat: {errors[reason]}x HTTP 500" in res.stdout


def test_open_bench_errors_are_counted_by_reason(
    ref_server: ReferenceServer, arena_cli: ArenaCli
) -> None:
    ref_server.config.fault = "http500"
    ref_server.config.fault_every = 2
    res = arena_cli.bench(ref_server.base_url, "--benches", "office-baseline")
    assert res.returncode == 3, res.stderr  # half failed: a failed attempt
    d = arena_cli.distribution("office-baseline")
    assert sum(d["errors"].values()) == d["failed"]
    assert d["failed"] >= 1


# --- finding 13 -------------------------------------------------------------------------


def test_manual_vram_survives_a_later_run(ref_server: ReferenceServer, arena_cli: ArenaCli) -> None:
    first = arena_cli.bench(ref_server.base_url, "--benches", "chat", "--vram-gb", "30")
    assert first.returncode == 0, first.stderr
    again = arena_cli.bench(
        ref_server.base_url, "--benches", "chat", "--params-b", "8", "--precision", "bf16"
    )
    assert again.returncode == 0, again.stderr
    b = build_info(arena_cli)
    assert (b["vram_gb"], b["vram_method"]) == (30.0, "manual")


def test_engine_log_vram_is_kept_on_resume(
    ref_server: ReferenceServer, arena_cli: ArenaCli, tmp_path: Path
) -> None:
    log = tmp_path / "vllm.log"
    log.write_text("INFO ... Model loading took 10.0 GiB memory and 3.2 seconds\n")
    first = arena_cli.bench(ref_server.base_url, "--benches", "chat", "--server-log", str(log))
    assert first.returncode == 0, first.stderr
    again = arena_cli.bench(ref_server.base_url, "--benches", "chat", "--resume")
    assert again.returncode == 0, again.stderr
    b = build_info(arena_cli)
    assert (b["vram_gb"], b["vram_method"]) == (10.74, "engine-log")


# --- finding 18 (CPU: no NVML, so no telemetry key at all) -------------------------------


def test_no_telemetry_on_a_cpu_machine(ref_server: ReferenceServer, arena_cli: ArenaCli) -> None:
    res = arena_cli.bench(ref_server.base_url, "--benches", "chat")
    assert res.returncode == 0, res.stderr
    assert "telemetry" not in arena_cli.distribution("chat")


# --- finding 19 -------------------------------------------------------------------------


def test_vllm_export_names_the_completions_endpoint_and_both_peaks(
    ref_server: ReferenceServer, arena_cli: ArenaCli, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    args = ("--benches", "office-baseline,chat", "--endpoint", "completions")
    res = arena_cli.bench(ref_server.base_url, *args, "--export-dir", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads((out / "office-baseline.json").read_text())
    assert (data["endpoint_type"], data["backend"]) == ("openai", "openai")
    d = arena_cli.distribution("office-baseline")
    assert d["max_concurrent_requests"] >= d["peak_in_flight"] >= 1
    md = (out / "chat.md").read_text()
    assert "| t/s (total) | t/s (req) |" in md
    assert "(c2)" in md
    # the closed-loop bench also as llama-benchy 0.4 JSON, which our importer reads back
    report = json.loads((out / "chat.json").read_text())
    assert report["version"].endswith("-arena")
    assert {b["concurrency"] for b in report["benchmarks"]} == {1, 2}
    parsed = parse_json(out / "chat.json")
    stored = arena_cli.show()["benches"]["chat"]["rows"]
    assert [(r["concurrency"], round(r["tg_tps_req"], 6)) for r in parsed.rows] == [
        (r["concurrency"], round(r["tg_tps_req"], 6)) for r in stored
    ]
