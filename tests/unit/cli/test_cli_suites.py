"""`--suite` and `--run` on leaderboard, show and export; `import suite` says new or stored."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arena.catalog import load_catalog
from arena.cli import common, render
from arena.cli.app import app
from arena.cli.common import answer_text
from arena.service import board, leaderboard_json
from arena.store import Store
from tests.conftest import RUN_QWEN_08, Outcome
from tests.v2_data import SHARED, SUSPECT_ANSWER, V2Build, add_v2_runs, bundled

runner = CliRunner()


def run(*args: str, width: int = 160) -> str:
    """Invoke in-process at `width` columns; fail with the output when the exit code is not 0."""
    widths = common.console.width, common.err_console.width
    common.console.width = common.err_console.width = width
    try:
        result = runner.invoke(app, list(args))
    finally:
        common.console.width, common.err_console.width = widths
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def written(seeded_db: str) -> list[V2Build]:
    """The v2 runs of tests/v2_data.py, written next to the bundled v1 and v2 data."""
    store = Store.open(seeded_db)
    out = add_v2_runs(store)
    store.close()
    return out


@pytest.fixture
def v2_db(seeded_db: str, written: list[V2Build]) -> str:
    """The bundled v1 and v2 data plus the v2 runs of tests/v2_data.py."""
    return seeded_db


def test_leaderboard_shows_the_suite_asked_or_the_newest(
    v2_db: str, written: list[V2Build]
) -> None:
    newest = json.loads(run("leaderboard", "--format", "json", "--db", v2_db))
    assert newest["suite"] == "v2"
    builds = {b.id for b in bundled("v2").builds} | {b.build.id for b in written}
    assert sorted(r["model"] for r in newest["rows"]) == sorted(builds)
    old = json.loads(run("leaderboard", "--format", "json", "--suite", "v1", "--db", v2_db))
    assert (old["suite"], len(old["rows"])) == ("v1", 23)
    table = run("leaderboard", "--db", v2_db, width=200)
    assert f"The Arena · suite v2 · Aggregate · bucket all · {len(builds)} builds" in table
    assert "J/tok" in table
    assert "Capacity rps" in table  # v2 rows carry a capacity
    assert "[sanity suspect: <img" in table  # the answer as text, not eaten as Rich markup
    compact = run("leaderboard", "--db", v2_db)  # the extra column needs 180 columns
    assert "rps@5s" in compact
    assert "v2-suspect suspect" in compact
    md = run("leaderboard", "--format", "md", "--db", v2_db)
    assert f"V2 Suspect 2B [sanity suspect: {answer_text(SUSPECT_ANSWER, 24)}]" in md
    assert len(answer_text(SUSPECT_ANSWER, 24)) == 24  # one line, cut: the JSON has it whole
    v1_table = run("leaderboard", "--suite", "v1", "--db", v2_db)
    assert "The Arena · suite v1 ·" in v1_table
    assert "Capacity rps" not in v1_table
    assert "Suite v1; others with data: v2 (--suite ID)" in v1_table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("leaderboard", "--suite", "v9"), "unknown suite 'v9'; expected one of: v1, v2"),
        (("show", SHARED, "--run", "nope"), f"run 'nope' is not a run of build '{SHARED}'"),
        (("show", "v2-fast", "--suite", "v1"), "build 'v2-fast' has no run in suite 'v1'"),
        (
            ("export", "--format", "json", "--suite", "v2"),
            "applies to csv, md and html; json holds",
        ),
        (("export", "--format", "csv", "--suite", "v9"), "unknown suite 'v9'"),
    ],
)
def test_bad_suite_or_run_is_one_line(
    v2_db: str, arena_main: Callable[..., Outcome], args: tuple[str, ...], message: str
) -> None:
    out = arena_main(*args, "--db", v2_db)
    assert out.code == 1
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_csv_rows_name_suite_run_and_sanity(v2_db: str) -> None:
    rows = list(csv.DictReader(io.StringIO(run("leaderboard", "--format", "csv", "--db", v2_db))))
    by = {r["model"]: r for r in rows}
    assert by["v2-suspect"]["sanity"] == "suspect"
    assert by["v2-fast"]["capacity_rps_5s"] == "0.5"
    assert {r["suite"] for r in rows} == {"v2"}
    assert by[SHARED]["run_id"] == "run-v2-shared"


def test_show_lists_runs_sanity_energy_and_the_sweep(v2_db: str) -> None:
    text = run("show", SHARED, "--db", v2_db)
    assert "suite v2 · run run-v2-shared · sanity ok" in text
    assert "Runs (2, newest first)" in text
    assert "rate-sweep: capacity and steps" in text
    assert "100/120" in text  # mean/peak power W of its chat bench
    suspect = run("show", "v2-suspect", "--db", v2_db)
    assert f"suspect: {SUSPECT_ANSWER} (answer does not name Paris)" in suspect
    sweep = run("show", "v2-suspect", "--format", "json", "--db", v2_db)
    capacity = json.loads(sweep)["benches"]["rate-sweep"]["capacity"]
    assert [c["offered_rps"] for c in capacity] == [None, None, 0.3]
    assert "no step meets it" in suspect


def test_show_one_run_or_one_suite(v2_db: str) -> None:
    both = json.loads(run("show", SHARED, "--format", "json", "--db", v2_db))
    v1_run = both["runs"][1]["id"]
    old = json.loads(run("show", SHARED, "--format", "json", "--suite", "v1", "--db", v2_db))
    one = json.loads(run("show", SHARED, "--format", "json", "--run", v1_run, "--db", v2_db))
    assert old["run_id"] == one["run_id"] == v1_run
    assert one["benches"] == old["benches"]
    assert both["benches"]["chat"]["tps_per_user"] != old["benches"]["chat"]["tps_per_user"]


def test_export_rows_carry_suite_and_run(v2_db: str) -> None:
    every = list(csv.DictReader(io.StringIO(run("export", "--format", "csv", "--db", v2_db))))
    assert {r["suite"] for r in every} == {"v1", "v2"}
    assert all(r["run"] for r in every)
    v2 = list(
        csv.DictReader(
            io.StringIO(run("export", "--format", "csv", "--suite", "v2", "--db", v2_db))
        )
    )
    assert v2 == [r for r in every if r["suite"] == "v2"]
    chat = next(r for r in v2 if r["build"] == "v2-fast" and r["bench"] == "chat")
    assert float(chat["joules_per_output_token"]) == pytest.approx(110.0 * 300.0 / 55000)
    md = run("export", "--format", "md", "--suite", "v1", "--db", v2_db)
    assert "| suite | run |" in md


def test_import_suite_says_new_run_or_already_stored(seeded_db: str, tmp_path: Path) -> None:
    bundled_run = next(r.run for r in bundled("v1").runs if r.build_id == "qwen-3.5-0.8b-bf16")
    same = run("import", "suite", str(RUN_QWEN_08), "--db", seeded_db)
    assert f"qwen-3.5-0.8b-bf16: run {bundled_run.id} (suite v1) " in same
    assert same.rstrip().endswith("already stored (same files)")
    changed = tmp_path / RUN_QWEN_08.parent.name / RUN_QWEN_08.name
    shutil.copytree(RUN_QWEN_08, changed)
    md = changed / "C_output-throughput.md"
    md.chmod(0o644)
    md.write_text(md.read_text() + "\n")
    first = run("import", "suite", str(changed), "--db", seeded_db)
    assert "imported qwen-3.5-0.8b-bf16: new run" in first
    assert "9/9 benches" in first
    new_id = first.split("new run ", 1)[1].split()[0]
    assert new_id != bundled_run.id
    again = run("import", "suite", str(changed), "--db", seeded_db)
    assert f"qwen-3.5-0.8b-bf16: run {new_id} (suite v1) " in again
    assert again.rstrip().endswith("already stored (same files)")
    shown = json.loads(run("show", "qwen-3.5-0.8b-bf16", "--format", "json", "--db", seeded_db))
    v1_runs = {r["id"] for r in shown["runs"] if r["suite"] == "v1"}
    assert v1_runs == {bundled_run.id, new_id}  # the new run is kept next to the bundled one


def test_a_capacity_preset_titles_g_and_e_in_requests_per_second(v2_db: str) -> None:
    store = Store.open(v2_db)
    data = leaderboard_json(board(store, load_catalog(), "team-server"))
    md = render.markdown(data, "Team server")
    head = md.splitlines()[2]
    assert "| Capacity rps @5s | Efficiency rps/GB |" in head
    assert "Throughput tok/s" not in head
    fast = next(line for line in md.splitlines() if "| V2 Fast 4B |" in line)
    assert "| 0.50 |" in fast  # its capacity at p95 TTFT <= 5 s, two decimals
    table = render.rich_table(data, "Team server", 120)
    assert [c.header for c in table.columns][3] == "rps"
