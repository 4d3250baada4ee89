"""Cost per million output tokens: the formula by hand, the [cost] table's checks, and the cost
fields of `show` and `leaderboard` with and without a config that has one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arena.catalog import CostConfig, load_catalog
from arena.cli.app import app
from arena.errors import ArenaError
from arena.records import Energy
from arena.service.cost import (
    bench_cost,
    energy_per_mtok,
    hardware_per_mtok,
    output_tps,
    per_mtok,
)

# 8760 = 365 days x 24 h: a box of 8760 over one year at 24 h/day costs 1 per hour of use.
BOX = CostConfig(
    electricity_per_kwh=0.25,
    source="cfg.toml",
    currency="EUR",
    hardware_price=8760,
    hardware_lifetime_years=1,
)
ENERGY_ONLY = CostConfig(electricity_per_kwh=0.25, source="cfg.toml")
# 100 W for 50 s while 5000 tokens came out: 1 J per token at 100 tok/s.
E = Energy(
    mean_power_w=100.0,
    peak_power_w=120.0,
    samples=50,
    source="telemetry.csv",
    duration_s=50.0,
    output_tokens=5000,
    joules_per_output_token=1.0,
)


def test_energy_cost_is_kwh_per_million_tokens_times_price() -> None:
    # 1.8 J x 1e6 = 1.8e6 J = 0.5 kWh; at 0.25 per kWh that is 0.125
    assert energy_per_mtok(1.8, 0.25) == pytest.approx(0.125)
    assert energy_per_mtok(3.6, 1.0) == pytest.approx(1.0)
    assert energy_per_mtok(2.0, 0.0) == 0


def test_hardware_cost_is_price_per_hour_over_tokens_per_hour() -> None:
    # 8760 over 1 year x 365 x 24 h = 1 per hour; 100 tok/s = 360,000 tok/h -> 1e6 / 360,000
    assert hardware_per_mtok(8760, 1, 24, 100) == pytest.approx(2.777778, rel=1e-6)
    # the same box used 12 h a day for 2 years has the same 8760 hours
    assert hardware_per_mtok(8760, 2, 12, 100) == pytest.approx(2.777778, rel=1e-6)
    # twice the throughput halves it
    assert hardware_per_mtok(8760, 1, 24, 200) == pytest.approx(1.388889, rel=1e-6)


def test_throughput_from_tokens_and_duration_else_power_over_joules() -> None:
    assert output_tps(E) == 100
    no_duration = Energy(100.0, 120.0, 50, "t", joules_per_output_token=0.5)
    assert output_tps(no_duration) == 200  # 100 W / 0.5 J per token
    assert output_tps(Energy(100.0, 120.0, 50, "t")) is None


def test_bench_cost_carries_its_inputs_prices_and_rule() -> None:
    c = bench_cost(BOX, E)
    assert c is not None
    # energy 1 J -> 1e6/3.6e6 kWh x 0.25 = 0.069444; hardware 2.777778
    assert c["energy_per_mtok"] == pytest.approx(0.0694, abs=1e-4)
    assert c["hardware_per_mtok"] == pytest.approx(2.7778, abs=1e-4)
    assert c["per_mtok"] == pytest.approx(2.8472, abs=1e-4)
    assert c["joules_per_output_token"] == 1.0
    assert c["output_tps"] == 100
    assert (c["currency"], c["config"], c["hours_per_day"]) == ("EUR", "cfg.toml", 24)
    assert "hardware_price / (hardware_lifetime_years × 365 × hours_per_day)" in c["rule"]
    assert per_mtok(BOX, E) == pytest.approx(0.069444 + 2.777778, rel=1e-5)


def test_energy_only_without_a_hardware_price() -> None:
    c = bench_cost(ENERGY_ONLY, E)
    assert c is not None
    assert c["per_mtok"] == c["energy_per_mtok"] == pytest.approx(0.0694, abs=1e-4)
    assert c["hardware_per_mtok"] is None
    assert c["hours_per_day"] is None
    assert c["currency"] == "USD"
    assert "hardware" not in c["rule"].split(". ")[0]


def test_no_cost_without_prices_or_a_measured_joules_per_token() -> None:
    assert bench_cost(None, E) is None
    assert bench_cost(BOX, None) is None
    assert bench_cost(BOX, Energy(100.0, 120.0, 50, "t", duration_s=50.0)) is None
    assert per_mtok(BOX, None) is None


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    return path


def test_the_cost_table_loads(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        '[cost]\nelectricity_per_kwh = 0.3\ncurrency = "CHF"\nhardware_price = 4000\n'
        "hardware_lifetime_years = 3\nhours_per_day = 8\n",
    )
    cost = load_catalog(path).cost
    assert cost == CostConfig(0.3, str(path), "CHF", 4000.0, 3.0, 8.0)
    assert load_catalog(tmp_path / "absent.toml").cost is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[cost]\ncurrency = 'EUR'\n", "missing field 'electricity_per_kwh'"),
        ("[cost]\nelectricity_per_kwh = -0.1\n", "'electricity_per_kwh' = -0.1; expected a number"),
        ("[cost]\nelectricity_per_kwh = '0.3'\n", "'electricity_per_kwh' = '0.3'; expected"),
        ("[cost]\nelectricity_per_kwh = 0.3\nprice = 1\n", "unknown field 'price'; known fields"),
        (
            "[cost]\nelectricity_per_kwh = 0.3\nhardware_price = 4000\n",
            "'hardware_price' needs 'hardware_lifetime_years'",
        ),
        (
            "[cost]\nelectricity_per_kwh = 0.3\nhardware_lifetime_years = 3\n",
            "'hardware_lifetime_years' needs 'hardware_price'",
        ),
        (
            "[cost]\nelectricity_per_kwh = 0.3\nhours_per_day = 8\n",
            "'hours_per_day' = 8 applies only with 'hardware_price'",
        ),
        (
            "[cost]\nelectricity_per_kwh = 0.3\nhardware_price = 1\nhardware_lifetime_years = 3\n"
            "hours_per_day = 25\n",
            "'hours_per_day' = 25; expected at most 24",
        ),
        (
            "[cost]\nelectricity_per_kwh = 0.3\nhardware_price = 1\nhardware_lifetime_years = 0\n",
            "'hardware_lifetime_years' = 0; expected a positive number",
        ),
        ("[[cost]]\nelectricity_per_kwh = 0.3\n", "[cost] must be a table"),
    ],
)
def test_a_bad_cost_table_is_one_line_naming_file_field_and_value(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = _config(tmp_path, text)
    with pytest.raises(ArenaError) as err:
        load_catalog(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: [cost]")
    assert expected in message


def _json(args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(app, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out: dict[str, object] = json.loads(result.stdout)
    return out


BUILD = "qwen-3.5-0.8b-bf16"


def test_show_and_leaderboard_with_a_cost_config(
    seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _config(
        tmp_path,
        "[cost]\nelectricity_per_kwh = 0.3\nhardware_price = 4000\nhardware_lifetime_years = 3\n",
    )
    monkeypatch.setenv("ARENA_CONFIG", str(path))
    shown = _json(["show", BUILD, "--db", seeded_db])
    benches = shown["benches"]
    assert isinstance(benches, dict)
    with_energy = {k: b for k, b in benches.items() if b and b["energy"]}
    assert with_energy
    for b in with_energy.values():
        c, e = b["cost"], b["energy"]
        assert c["joules_per_output_token"] == e["joules_per_output_token"]
        assert c["config"] == path.name
        tps = e["output_tokens"] / e["duration_s"]
        want = e["joules_per_output_token"] / 3.6 * 0.3 + 4000 / (3 * 365 * 24) / (tps * 3600) * 1e6
        assert c["per_mtok"] == pytest.approx(want, abs=1e-4)
    assert all(b["cost"] is None for b in benches.values() if b and not b["energy"])

    board = _json(["leaderboard", "--db", seeded_db])
    assert board["cost"] is not None
    assert board["cost"]["config"] == path.name
    rows = board["rows"]
    assert isinstance(rows, list)
    row = next(r for r in rows if r["model"] == BUILD)
    counted = [with_energy[b]["cost"]["per_mtok"] for b in board["benches"] if b in with_energy]
    assert row["energy_benches"] == len(counted)
    assert row["cost_per_mtok"] == pytest.approx(sum(counted) / len(counted), abs=1e-3)
    assert all(r["cost_per_mtok"] is None for r in rows if r["energy_benches"] == 0)

    table = CliRunner().invoke(app, ["leaderboard", "--db", seeded_db, "--format", "md"])
    assert "| USD/Mtok |" in table.stdout
    assert f"the cost table of {path.name}" in table.stdout
    listed = CliRunner().invoke(app, ["catalog"])
    assert "USD/Mtok: cost per million" in listed.stdout


def test_without_a_cost_table_every_cost_is_null(
    seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARENA_CONFIG", str(tmp_path / "absent.toml"))
    shown = _json(["show", BUILD, "--db", seeded_db])
    assert all(b is None or b["cost"] is None for b in shown["benches"].values())
    board = _json(["leaderboard", "--db", seeded_db])
    assert board["cost"] is None
    assert all(r["cost_per_mtok"] is None for r in board["rows"])
    table = CliRunner().invoke(app, ["leaderboard", "--db", seeded_db, "--format", "md"])
    assert "Mtok" not in table.stdout
