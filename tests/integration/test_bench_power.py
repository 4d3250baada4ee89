"""Power while `arena bench` runs: a fake NVML GPU (NVML is not our code) behind the reference
server's benches gives a stored Energy and an NN-telemetry.csv that the v2 importer reads back
to the same numbers; without a GPU the run says power was not measured and why."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from pathlib import Path

import pytest

from arena.bench import SuiteConfig, Timeouts, run_suite, select_benches
from arena.bench.power import NOT_MEASURED, WALL_TIME
from arena.builds import BuildSpec
from arena.energy import energy
from arena.importers.telemetry import read_telemetry
from arena.records import BenchRecord
from arena.store import Store
from tests.servers.fake_nvml import FakeGpu, module, shim
from tests.servers.fixtures import (  # noqa: F401  (fixtures are found by name)
    MODEL,
    ArenaCli,
    arena_cli_fixture,
    ref_server_fixture,
    template_db_fixture,
)
from tests.servers.reference import ReferenceServer

ROOT = Path(__file__).resolve().parents[2]
TRACE_MW = [91_250, 104_500, 118_000, 97_750, 125_125]  # cycled by the fake GPU
NUMBERS = {"chat": 1, "office-baseline": 7}  # suite v2's file numbers (01-chat, 07-office-...)


def _slow(srv: ReferenceServer) -> None:
    """Tokens 10 ms apart, so each smoke bench spans several 20 ms power samples."""
    srv.config.ttft, srv.config.itl = 0.03, 0.01


def check_energy(rec: BenchRecord, export: Path) -> None:
    """The record's Energy from its own samples, and the exported CSV read back to it."""
    e = rec.energy
    assert e is not None, rec.notes
    samples = rec.distribution["telemetry"]
    watts = [s["power_w"] for s in samples]
    assert len(watts) == e.samples >= 3
    assert set(watts) <= {mw / 1000 for mw in TRACE_MW}
    tokens = rec.distribution["total_output_tokens"]
    assert tokens > 0
    assert e.output_tokens == tokens
    assert e.duration_source == WALL_TIME
    assert e.duration_s is not None
    assert samples[-1]["elapsed_s"] <= e.duration_s
    mean = sum(watts) / len(watts)
    assert e.mean_power_w == round(mean, 2)
    assert e.peak_power_w == max(watts)
    assert e.peak_temp_c == 61.0
    assert e.joules_per_output_token == round(mean * e.duration_s / tokens, 4)
    # the v2 importer reads our CSV back to the same numbers
    csv_path = export / f"{NUMBERS[rec.bench_id]:02d}-telemetry.csv"
    t = read_telemetry(csv_path)
    assert t is not None
    again = energy(t.power, e.source, e.duration_s, e.duration_source, e.output_tokens)
    assert again == e
    assert csv_path.read_text().splitlines()[0] == (
        "elapsed_s,power_w,temp_c,sm_mhz,gpu_util,mem_used_mb"
    )


def test_a_bench_with_a_fake_gpu_stores_energy_and_exports_telemetry(
    ref_server: ReferenceServer,
    template_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _slow(ref_server)
    gpu = FakeGpu(power_mw=TRACE_MW, util=None)  # utilisation raises NotSupported
    monkeypatch.setitem(sys.modules, "pynvml", module(gpu))
    shutil.copyfile(template_db, tmp_path / "a.db")
    store = Store.open(str(tmp_path / "a.db"))
    export = tmp_path / "out"
    config = SuiteConfig(
        model=MODEL,
        build=BuildSpec("power-build", params_b=1.0, precision="bf16"),
        benches=tuple(select_benches("chat,office-baseline", None, "smoke", None)),
        base_url=ref_server.base_url,
        profile="smoke",
        timeouts=Timeouts(connect=5, first_token=60, between_tokens=60),
        export_dir=export,
        suite="v2",
        power_interval=0.02,
    )
    result = run_suite(config, store)
    assert result.power == "power: NVML GPU 0, every 0.02 s; energy stored for 2 of 2 benches"
    for rec in result.records:
        check_energy(rec, export)
        assert all("gpu_util" not in s for s in rec.distribution["telemetry"])
    view = store.build("power-build", suite="v2")
    assert view is not None
    assert {b: r.energy for b, r in view.results.items()} == {
        r.bench_id: r.energy for r in result.records
    }
    rows = (export / "01-telemetry.csv").read_text().splitlines()[1:]
    assert all(row.split(",")[4] == "" for row in rows)  # gpu_util: not reported, not 0
    inits = sum(name == "nvmlInit" for name, _ in gpu.calls)  # the sampler's and VRAM's
    assert gpu.shutdowns == inits == 2


def _env_with_fake(arena_cli: ArenaCli, where: Path, **gpu: object) -> None:
    shim(where, **gpu)
    arena_cli.env["PYTHONPATH"] = os.pathsep.join([str(where), str(ROOT)])


def test_the_cli_exports_telemetry_with_a_fake_gpu(
    ref_server: ReferenceServer, arena_cli: ArenaCli, tmp_path: Path
) -> None:
    _slow(ref_server)
    _env_with_fake(arena_cli, tmp_path / "nvml", power_mw=TRACE_MW)
    out = tmp_path / "exports"
    res = arena_cli.run(
        *arena_cli.bench_args(ref_server.base_url, "--benches", "chat", quiet=False),
        "--power-interval",
        "0.02",
        "--export-dir",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "power: NVML GPU 0, every 0.02 s; energy stored for 1 of 1 benches" in res.stdout
    files = sorted(p.name for p in out.glob("*-telemetry.csv"))
    assert len(files) == 1
    t = read_telemetry(out / files[0])
    assert t is not None
    assert t.power.samples == len(arena_cli.distribution("chat")["telemetry"]) >= 3


def test_without_a_gpu_the_run_says_power_was_not_measured(
    ref_server: ReferenceServer, arena_cli: ArenaCli, tmp_path: Path
) -> None:
    _env_with_fake(arena_cli, tmp_path / "nvml", count=0)
    out = tmp_path / "exports"
    args = arena_cli.bench_args(ref_server.base_url, "--benches", "chat", quiet=False)
    res = arena_cli.run(*args, "--export-dir", str(out))
    assert res.returncode == 0, res.stderr
    line = "power: not measured (no GPU visible to NVML); energy per token left empty"
    assert line in res.stdout
    assert "telemetry" not in arena_cli.distribution("chat")
    assert not list(out.glob("*-telemetry.csv"))
    chat = arena_cli.show()["benches"]["chat"]
    assert chat["energy"] is None
    assert f"{NOT_MEASURED}: no GPU visible to NVML" in chat["notes"]


def test_power_interval_is_validated(arena_cli: ArenaCli, ref_server: ReferenceServer) -> None:
    res = arena_cli.bench(ref_server.base_url, "--power-interval", "0")
    assert res.returncode != 0
    assert "--power-interval 0.0: expected seconds in (0, 1]" in res.stderr


def test_records_without_power_equal_the_plain_ones() -> None:
    # finish_record without a window leaves energy and notes alone (e.g. --resume skips)
    from arena.bench.suite import finish_record
    from arena.records import Provenance

    rec = BenchRecord("x", None, None, None, None, None, None, Provenance("arena"))
    done = finish_record(rec, "full")
    assert (done.energy, done.notes) == (None, ["profile: full"])
    assert dataclasses.replace(done, notes=[]).distribution == {"profile": "full"}
