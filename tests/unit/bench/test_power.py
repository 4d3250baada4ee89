"""Power and energy per bench: the NVML sampler against a fake pynvml, the J/token arithmetic on
a known power trace, the v2 telemetry CSV read back by the importer, and "not measured" stated."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from arena.bench.power import (
    NOT_MEASURED,
    WALL_TIME,
    BenchPower,
    bench_energy,
    bench_number,
    power_line,
    telemetry_csv,
    with_power,
)
from arena.bench.system import DEFAULT_INTERVAL_S, Telemetry, nvml_or_reason
from arena.energy import TELEMETRY_COLUMNS, energy, summarize
from arena.importers.telemetry import read_telemetry
from arena.records import BenchRecord, Energy, Provenance
from tests.servers.fake_nvml import FakeGpu, module

# A known trace: 100, 120, 140, 100 W over a 20 s bench that produced 1000 output tokens.
# mean 115 W; 115 W x 20 s / 1000 tokens = 2.3 J per token; 1000 / 20 / 115 = 0.43478 tok/s/W.
TRACE_W = [100.0, 120.0, 140.0, 100.0]


def fake(monkeypatch: pytest.MonkeyPatch, **kw: Any) -> FakeGpu:
    gpu = FakeGpu(**kw)
    monkeypatch.setitem(sys.modules, "pynvml", module(gpu))
    return gpu


def record(tokens: int | None) -> BenchRecord:
    dist: dict[str, Any] = {} if tokens is None else {"total_output_tokens": tokens}
    prov = Provenance("arena", "0.1", None, "arena bench", "2026-05-05T19:52:42+00:00")
    return BenchRecord("chat", None, None, None, None, None, None, prov, distribution=dist)


def window(watts: list[float], start: float = 1000.0, step: float = 5.0) -> BenchPower:
    samples = [
        {"t": start + i * step, "elapsed_s": i * step, "power_w": w, "temp_c": 60.0 + i}
        for i, w in enumerate(watts)
    ]
    return BenchPower(samples, start, start + 20.0, "NVML GPU 0, every 5 s", None)


# --- the arithmetic on a known trace ------------------------------------------------------


def test_known_trace_gives_the_exact_energy_per_token() -> None:
    e, note = bench_energy(record(1000), window(TRACE_W))
    assert note is None
    assert e == Energy(
        mean_power_w=115.0,
        peak_power_w=140.0,
        samples=4,
        source="NVML GPU 0, every 5 s",
        peak_temp_c=63.0,
        duration_s=20.0,
        duration_source=WALL_TIME,
        output_tokens=1000,
        joules_per_output_token=2.3,
        tokens_per_watt=0.4348,
    )


def test_the_importer_reads_the_same_trace_to_the_same_energy(tmp_path: Path) -> None:
    path = tmp_path / "01-telemetry.csv"
    path.write_text(telemetry_csv(window(TRACE_W).samples), encoding="utf-8")
    t = read_telemetry(path)
    assert t is not None
    assert (t.power.samples, t.power.mean_power_w, t.power.peak_power_w) == (4, 115.0, 140.0)
    e = energy(t.power, t.file, 20.0, "given", 1000)
    assert (e.joules_per_output_token, e.tokens_per_watt) == (2.3, 0.4348)


def test_no_tokens_keeps_power_but_gives_no_energy_per_token() -> None:
    e, note = bench_energy(record(None), window(TRACE_W))
    assert e is not None
    assert (e.mean_power_w, e.joules_per_output_token, e.tokens_per_watt) == (115.0, None, None)
    assert note == "energy per token not given: no output tokens counted"


def test_summarize_without_power_is_none() -> None:
    assert summarize([], [50.0]) is None
    s = summarize([1.0, 3.0], [])
    assert s is not None
    assert (s.mean_power_w, s.peak_temp_c) == (2.0, None)


# --- "not measured" is explicit -------------------------------------------------------------


def test_without_nvml_the_record_has_no_energy_and_says_why() -> None:
    p = BenchPower([], 0.0, 5.0, "NVML GPU 0, every 1 s", "no GPU visible to NVML")
    rec = with_power(record(10), p)
    assert rec.energy is None
    assert rec.notes == [f"{NOT_MEASURED}: no GPU visible to NVML"]
    assert "telemetry" not in rec.distribution


def test_a_bench_shorter_than_the_interval_says_it_got_no_sample() -> None:
    p = BenchPower([], 0.0, 0.4, "NVML GPU 0, every 1 s", None)
    e, note = bench_energy(record(10), p)
    assert e is None
    assert note == f"{NOT_MEASURED}: no sample (NVML GPU 0, every 1 s) within the bench's 0.4 s"


def test_a_gpu_without_a_power_reading_says_so() -> None:
    p = BenchPower([{"t": 1.0, "temp_c": 50.0}], 0.0, 2.0, "NVML GPU 0, every 1 s", None)
    e, note = bench_energy(record(10), p)
    assert e is None
    assert note == f"{NOT_MEASURED}: NVML GPU 0, every 1 s gave no power reading (not supported)"


def test_the_run_line_states_how_power_was_measured_or_why_not() -> None:
    t = Telemetry(reason="no GPU visible to NVML")
    assert power_line(t, 0, 2) == (
        "power: not measured (no GPU visible to NVML); energy per token left empty"
    )
    t = Telemetry(interval=1.0, reason=None)
    assert power_line(t, 2, 3) == "power: NVML GPU 0, every 1 s; energy stored for 2 of 3 benches"


# --- the sampler against a fake NVML ----------------------------------------------------------


def test_the_sampler_reads_the_v2_columns_and_leaves_a_missing_metric_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gpu = fake(monkeypatch, util=None, mem_used_bytes=3 * 2**30)  # utilisation raises
    t = Telemetry(interval=0.01)
    t.start()
    assert t.reason is None
    deadline = time.monotonic() + 5
    while len(t.samples) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    samples = t.stop()
    assert len(samples) >= 4
    assert [s["power_w"] for s in samples[:4]] == TRACE_W
    first = samples[0]
    assert {k: v for k, v in first.items() if k != "t"} == {
        "power_w": 100.0,
        "temp_c": 61.0,
        "sm_mhz": 2100.0,
        "mem_used_mb": 3072.0,
    }
    assert "gpu_util" not in first
    assert ("nvmlDeviceGetUtilizationRates", "telemetry") in gpu.calls
    # every reading happened on the sampler's own thread, none on the caller's
    readers = {who for name, who in gpu.calls if name.startswith("nvmlDevice")}
    assert readers == {"telemetry"} != {threading.current_thread().name}
    assert gpu.shutdowns == 1


def test_the_missing_metric_stays_empty_in_the_csv_not_zero(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake(monkeypatch, util=None, mem_used_bytes=None)
    t = Telemetry(interval=0.01)
    t.start()
    time.sleep(0.05)
    samples = [{**s, "elapsed_s": 0.0} for s in t.stop()]
    text = telemetry_csv(samples[:1])
    assert text == "elapsed_s,power_w,temp_c,sm_mhz,gpu_util,mem_used_mb\n0,100,61,2100,,\n"
    assert tuple(text.splitlines()[0].split(",")) == TELEMETRY_COLUMNS


def test_the_default_rate_is_at_least_one_sample_per_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake(monkeypatch)
    t = Telemetry()
    assert t.interval == DEFAULT_INTERVAL_S <= 1.0
    t.start()
    time.sleep(2.3)
    samples = t.stop()
    times = [s["t"] for s in samples]
    assert len(times) == 3  # at 0, 1 and 2 s
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(0.9 <= g <= 1.2 for g in gaps), gaps


@pytest.mark.parametrize(
    ("gpu", "reason"),
    [
        ({"count": 0}, "no GPU visible to NVML"),
        (
            {"init_error": "Driver Not Loaded"},
            "no NVML: the NVIDIA driver library did not initialise (Driver Not Loaded)",
        ),
    ],
)
def test_why_nvml_gives_nothing(
    monkeypatch: pytest.MonkeyPatch, gpu: dict[str, Any], reason: str
) -> None:
    fake(monkeypatch, **gpu)
    assert nvml_or_reason() == (None, reason)
    t = Telemetry(interval=0.01)
    t.start()
    time.sleep(0.03)
    assert (t.stop(), t.reason) == ([], reason)


def test_without_the_pynvml_module_the_reason_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import raises ImportError
    assert nvml_or_reason() == (
        None,
        "no NVML: the pynvml module (nvidia-ml-py) cannot be imported",
    )


# --- file numbering ---------------------------------------------------------------------------


def test_telemetry_files_are_numbered_by_the_suites_order() -> None:
    suite = ("chat", "rag-8k", "long-output")
    assert bench_number("chat", suite, ["long-output", "chat"]) == 1
    assert bench_number("long-output", suite, ["long-output", "chat"]) == 3
    assert bench_number("mine", suite, ["chat", "mine", "other"]) == 4
    assert bench_number("other", suite, ["chat", "mine", "other"]) == 5
