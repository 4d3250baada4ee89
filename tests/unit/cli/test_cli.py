"""The CLI in-process on a copy of a seeded SQLite file; the console script once as a process."""

from __future__ import annotations

import csv
import inspect
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from arena.cli import common
from arena.cli.app import app
from arena.store import Store
from tests.conftest import RUN_QWEN_08, Outcome

runner = CliRunner()


def run(*args: str) -> str:
    """Invoke in-process; fail with the output when the exit code is not 0."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def arena(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    """The installed console script as a user runs it."""
    script = Path(sys.executable).with_name("arena")
    return subprocess.run([str(script), *args, "--db", db], capture_output=True, text=True)


def board(db: str, *args: str) -> dict:  # type: ignore[type-arg]
    """Leaderboard JSON."""
    return json.loads(run("leaderboard", "--format", "json", "--db", db, *args))


def test_help_lists_every_command() -> None:
    out = run("--help")
    for cmd in ("leaderboard", "show", "import", "export", "catalog"):
        assert cmd in out
    sub = run("import", "--help")
    for cmd in ("suite", "llama-benchy", "vllm-bench", "dataset"):
        assert cmd in sub


def _commands(group: TyperGroup, prefix: str = "") -> list[tuple[str, TyperCommand]]:
    found: list[tuple[str, TyperCommand]] = []
    for name, cmd in group.commands.items():
        found.append((prefix + name, cmd))  # type: ignore[arg-type]
        if isinstance(cmd, TyperGroup):
            found.extend(_commands(cmd, f"{prefix}{name} "))
    return found


def test_every_command_summary_is_one_short_sentence() -> None:
    for name, cmd in _commands(typer.main.get_group(app)):
        summary = inspect.cleandoc(cmd.help or "").split("\n\n")[0]
        assert summary, f"arena {name}: no help"
        assert "\n" not in summary, f"arena {name}: a line break in its summary"
        assert len(summary) <= 120, f"arena {name}: a summary over two lines at 80 columns"


def test_submit_names_where_run_ids_are_listed() -> None:
    commands = dict(_commands(typer.main.get_group(app)))
    (run_option,) = [p for p in commands["submit"].params if p.name == "run"]
    assert "arena runs list" in (getattr(run_option, "help", None) or "")
    run_id = commands["runs retract"].params[0]
    assert "arena runs list" in (getattr(run_id, "help", None) or "")


def test_leaderboard_json_shape(seeded_db: str) -> None:
    data = board(seeded_db)  # the default: the newest suite with data, v2 (30 bundled runs)
    assert data["preset"] == "aggregate"
    assert data["bucket"] == "all"
    assert data["weights"] == {"quality": 0.7, "throughput": 0.2, "efficiency": 0.1}
    assert data["suite"] == "v2"
    assert [(s["id"], s["builds"]) for s in data["suites"]] == [("v1", 23), ("v2", 30)]
    assert len(data["rows"]) == 30
    assert {r["suite"] for r in data["rows"]} == {"v2"}
    keys = {
        "rank",
        "model",
        "name",
        "precision",
        "bucket",
        "quality_raw",
        "throughput_tps",
        "vram_gb",
        "efficiency_raw",
        "Q",
        "G",
        "E",
        "score",
        "norm",
        "tier",
        "pareto",
        "flags",
        "suite",
        "run_id",
        "capacity_rps_5s",
        "joules_per_token",
        "sanity",
    }
    assert keys <= set(data["rows"][0])
    assert [r["rank"] for r in data["rows"]] == list(range(1, 31))
    assert data["attribution"] == ["Data: Django de Vreng, djangodevreng.nl, CC-BY-4.0"]
    v1 = board(seeded_db, "--suite", "v1")
    assert (v1["suite"], len(v1["rows"])) == ("v1", 23)
    assert [r["rank"] for r in v1["rows"]] == list(range(1, 24))


def test_reasoning_preset_shows_no_measurement_for_builds_without_it(seeded_db: str) -> None:
    rows = board(seeded_db, "--preset", "reasoning", "--suite", "v1")["rows"]
    missing = [r["model"] for r in rows if "no-measurement" in r["flags"]]
    assert len(missing) == 9
    assert all(r["throughput_tps"] == 0 for r in rows if r["model"] in missing)
    md = run(
        "leaderboard", "--preset", "reasoning", "--suite", "v1", "--format", "md", "--db", seeded_db
    )
    assert md.count("no measurement") == 9


def test_bucket_small_renormalises_to_its_own_best(seeded_db: str) -> None:
    rows = board(seeded_db, "--preset", "batch", "--bucket", "small")["rows"]
    assert rows
    assert all(r["bucket"] == "small" for r in rows)
    assert max(r["Q"] for r in rows) == 100
    assert max(r["G"] for r in rows) == 100


def test_custom_weights_change_the_weights_used(seeded_db: str) -> None:
    data = board(seeded_db, "--weights", "0,100,0")
    assert data["weights"]["throughput"] == 1.0
    assert data["rows"][0]["G"] == 100


def test_markdown_and_csv_formats(seeded_db: str) -> None:
    md = run(
        "leaderboard", "--preset", "batch", "--bucket", "small", "--format", "md",
        "--suite", "v1", "--db", seeded_db,
    )  # fmt: skip
    assert md.startswith("### The Arena · suite v1 · Batch / RAG offline · bucket small")
    assert "| # | Model |" in md
    assert "CC-BY-4.0" in md
    csv_v1 = run("leaderboard", "--format", "csv", "--suite", "v1", "--db", seeded_db)
    rows = list(csv.DictReader(io.StringIO(csv_v1)))
    assert len(rows) == 23
    assert rows[0]["rank"] == "1"
    assert all("CC-BY-4.0" in r["attribution"] for r in rows)  # every bundled row credits it
    assert {r["suite"] for r in rows} == {"v1"}


def test_table_format_renders_tiers(seeded_db: str) -> None:
    out = run("leaderboard", "--db", seeded_db)
    assert "leader" in out
    assert "tail" in out
    assert "CC-BY-4.0" in out


def test_show_json_has_benches_quality_and_provenance(seeded_db: str) -> None:
    d = json.loads(
        run("show", "qwen-3.5-0.8b-bf16", "--format", "json", "--suite", "v1", "--db", seeded_db)
    )
    assert d["precision"] == "bf16"
    assert d["base_model"] == "Qwen/Qwen3.5-0.8B"
    assert set(d["benches"]) >= {"chat", "reasoning", "monday-peak"}
    chat = d["benches"]["chat"]
    assert chat["tps_per_user"] == pytest.approx(101.78)
    assert chat["source"]["tool"] == "llama-benchy"
    assert "--tg 1024" in chat["source"]["command"]
    reasoning = d["benches"]["reasoning"]
    assert reasoning["tps_per_user"] == pytest.approx(1000 / 10.615396185518051)
    assert reasoning["ttft_p95_ms"] == pytest.approx(126.73331676342059)
    for entries in d["quality"].values():
        assert all(e["source"].startswith("http") for e in entries)
    assert d["vram_method"] == "estimated"


def test_show_text_lists_no_measurement(seeded_db: str) -> None:
    out = run("show", "mistral-small-3.2-24b-it-nvfp4", "--db", seeded_db)
    assert "no measurement" in out
    assert "VRAM" in out


def test_show_text_gives_kind_source_and_date_of_each_quality_number(seeded_db: str) -> None:
    d = json.loads(run("show", "qwen-3.5-0.8b-bf16", "--format", "json", "--db", seeded_db))
    mmlu = d["quality"]["mmlu_pro"][0]
    out = run("show", "qwen-3.5-0.8b-bf16", "--db", seeded_db)
    header = next(line for line in out.splitlines() if "Metric" in line)
    assert [h.strip() for h in header.strip("┃│ ").split("┃")][:5] == [
        "Metric",
        "Value",
        "Kind",
        "Source",
        "Date",
    ]
    line = next(line for line in out.splitlines() if line.startswith("│ MMLU-Pro"))
    assert mmlu["kind"] in line
    assert mmlu["retrieved"] in line


def test_import_llama_benchy_and_vllm_bench_create_a_ranked_build(seeded_db: str) -> None:
    run(
        "import",
        "llama-benchy",
        str(RUN_QWEN_08 / "C_output-throughput.md"),
        "--model",
        "my-build",
        "--bench",
        "chat",
        "--params-b",
        "0.8",
        "--precision",
        "bf16",
        "--db",
        seeded_db,
    )
    run(
        "import",
        "vllm-bench",
        str(RUN_QWEN_08 / "D_reasoning.json"),
        "--model",
        "my-build",
        "--bench",
        "reasoning",
        "--db",
        seeded_db,
    )
    d = json.loads(run("show", "my-build", "--format", "json", "--db", seeded_db))
    assert d["benches_measured"] == 2
    assert d["vram_method"] == "estimated"
    # its own hardware ("local", the import default) is a cohort of its own; the default
    # cohort is the hardware with the most builds (the bundled DGX Spark data)
    assert all(r["model"] != "my-build" for r in board(seeded_db, "--preset", "chat")["rows"])
    rows = board(seeded_db, "--preset", "chat", "--hardware", "local")["rows"]
    mine = next(r for r in rows if r["model"] == "my-build")
    assert mine["throughput_tps"] == pytest.approx(101.78)
    assert "no-quality" in mine["flags"]


def test_import_suite_is_idempotent(seeded_db: str) -> None:
    before = board(seeded_db)
    run("import", "suite", str(RUN_QWEN_08), "--db", seeded_db)
    run("import", "suite", str(RUN_QWEN_08), "--db", seeded_db)
    after = board(seeded_db)
    assert after == before


def test_export_json_reimports_to_the_same_leaderboard(seeded_db: str, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    run("export", "--format", "json", "-o", str(out), "--db", seeded_db)
    other = str(tmp_path / "other.db")
    run("import", "dataset", str(out), "--db", other)
    assert board(other)["rows"] == board(seeded_db)["rows"]


@pytest.mark.parametrize("fmt", ["csv", "md"])
def test_export_flat_formats(seeded_db: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"export.{fmt}"
    run("export", "--format", fmt, "-o", str(out), "--db", seeded_db)
    text = out.read_text()
    assert "qwen-3.5-0.8b-bf16" in text
    assert "office-baseline" in text
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert all("CC-BY-4.0" in r["attribution"] for r in rows)


def test_bad_file_gives_one_line_and_writes_nothing(seeded_db: str, tmp_path: Path) -> None:
    broken = tmp_path / "D_reasoning.json"
    data = json.loads((RUN_QWEN_08 / "D_reasoning.json").read_text())
    data["median_tpot_ms"] = "abc"
    broken.write_text(json.dumps(data))
    before = board(seeded_db)
    res = arena(
        "import", "vllm-bench", str(broken), "--model", "x", "--bench", "reasoning", db=seeded_db
    )
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "median_tpot_ms" in lines[0]
    assert str(broken) in lines[0]
    assert board(seeded_db) == before


def test_broken_suite_dir_writes_nothing(
    seeded_db: str, tmp_path: Path, arena_main: Callable[..., Outcome]
) -> None:
    run_dir = tmp_path / "run" / "bf16"
    shutil.copytree(RUN_QWEN_08, run_dir)
    (run_dir / "C_output-throughput.md").write_text("| model | test |\n| x | y |\n")
    before = board(seeded_db)
    res = arena_main("import", "suite", str(tmp_path / "run"), "--db", seeded_db)
    assert res.code == 1
    assert len(res.stderr.strip().splitlines()) == 1
    assert "C_output-throughput.md" in res.stderr
    assert board(seeded_db) == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("leaderboard", "--preset", "nope"), "unknown preset 'nope'; expected one of: aggregate"),
        (("leaderboard", "--bucket", "tiny"), "unknown bucket 'tiny'"),
        (("leaderboard", "--weights", "50,50,50"), "sum to 150"),
        (("show", "no-such-build"), "unknown build 'no-such-build'"),
    ],
)
def test_bad_arguments_one_clear_line(
    seeded_db: str, arena_main: Callable[..., Outcome], args: tuple[str, ...], needle: str
) -> None:
    res = arena_main(*args, "--db", seeded_db)
    assert res.code == 1
    assert needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            (
                "import",
                "vllm-bench",
                str(RUN_QWEN_08 / "D_reasoning.json"),
                "--model",
                "x",
                "--bench",
                "office-baseline",
            ),
            "request_rate = 0.2 (bench 'office-baseline' has 0.3)",
        ),
        (
            (
                "import",
                "vllm-bench",
                str(RUN_QWEN_08 / "H_office-baseline.json"),
                "--model",
                "x",
                "--bench",
                "chat",
            ),
            "'chat' is a closed-loop bench",
        ),
        (
            (
                "import",
                "llama-benchy",
                str(RUN_QWEN_08 / "C_output-throughput.md"),
                "--model",
                "x",
                "--bench",
                "reasoning",
            ),
            "use `arena import vllm-bench` for this bench",
        ),
        (
            (
                "import",
                "vllm-bench",
                str(RUN_QWEN_08 / "D_reasoning.json"),
                "--model",
                "../etc",
                "--bench",
                "reasoning",
            ),
            "build id '../etc'",
        ),
        (
            (
                "import",
                "vllm-bench",
                str(RUN_QWEN_08 / "D_reasoning.json"),
                "--model",
                "ok",
                "--bench",
                "reasoning",
                "--vram-gb",
                "-1",
            ),
            "--vram-gb -1: expected a number > 0",
        ),
        (("export", "-o", "/"), "-o /: is a directory"),
        (("export", "-o", "/no/such/dir/x.json"), "its directory does not exist"),
    ],
)
def test_input_checks_one_line_nothing_written(
    seeded_db: str, arena_main: Callable[..., Outcome], args: tuple[str, ...], needle: str
) -> None:
    before = board(seeded_db)
    res = arena_main(*args, "--db", seeded_db)
    assert res.code == 1
    assert needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert board(seeded_db) == before


def test_force_imports_a_mismatched_file_with_a_note(seeded_db: str) -> None:
    run(
        "import",
        "vllm-bench",
        str(RUN_QWEN_08 / "D_reasoning.json"),
        "--model",
        "forced",
        "--bench",
        "office-baseline",
        "--force",
        "--db",
        seeded_db,
    )
    d = json.loads(run("show", "forced", "--format", "json", "--db", seeded_db))
    notes = d["benches"]["office-baseline"]["notes"]
    assert any(n.startswith("imported with --force: request_rate") for n in notes)


def test_unusable_database_is_one_line(tmp_path: Path, arena_main: Callable[..., Outcome]) -> None:
    bogus = tmp_path / "not.db"
    bogus.write_text("not a database")
    res = arena_main("leaderboard", "--db", str(bogus))  # raising instead would fail the test
    assert res.code == 1
    (line,) = res.stderr.strip().splitlines()
    assert "cannot open (file is not a database)" in line


def test_an_80_column_terminal_keeps_headers_and_cells_whole(seeded_db: str) -> None:
    width = common.console.width
    common.console.width = 80  # what Rich reads from COLUMNS=80 when the CLI starts
    try:
        out = run("leaderboard", "--preset", "reasoning", "--suite", "v1", "--db", seeded_db)
    finally:
        common.console.width = width
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert max(len(line) for line in lines) > 70  # the table uses the width it is given
    header = next(line for line in lines if "Build" in line)
    assert all(h in header for h in ("Quality", "tok/s", "Score"))
    assert "no measurement" in out
    assert "…" not in out


def test_build_set_gives_a_build_its_size_and_estimate(seeded_db: str) -> None:
    out = run(
        "build", "set", "qwen-3.5-0.8b-bf16", "--params-b", "0.9", "--active-b", "0.9",
        "--db", seeded_db,
    )  # fmt: skip
    assert "params 0.9 B" in out
    d = json.loads(run("show", "qwen-3.5-0.8b-bf16", "--format", "json", "--db", seeded_db))
    assert (d["params_total_b"], d["params_active_b"]) == (0.9, 0.9)
    assert d["bucket"] == "small"
    missing = runner.invoke(app, ["build", "set", "nope", "--params-b", "1", "--db", seeded_db])
    assert missing.exit_code != 0
    assert "build 'nope' is not in the store" in str(missing.exception)
    nothing = runner.invoke(app, ["build", "set", "qwen-3.5-0.8b-bf16", "--db", seeded_db])
    assert nothing.exit_code != 0
    assert "nothing to set" in nothing.output


@pytest.mark.parametrize("bad", ["<script>alert(1)</script>", "../../etc/passwd", "qwen/0.8b"])
def test_import_dataset_refuses_build_ids_other_importers_refuse(
    seeded_db: str, tmp_path: Path, bad: str
) -> None:
    out = tmp_path / "export.json"
    run("export", "--format", "json", "-o", str(out), "--db", seeded_db)
    data = json.loads(out.read_text())
    data["builds"][1]["id"] = bad
    out.write_text(json.dumps(data))
    other = str(tmp_path / "other.db")
    result = arena("import", "dataset", str(out), db=other)
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert str(out) in lines[0]
    assert "builds[1]" in lines[0]
    assert "'id'" in lines[0]
    assert repr(bad) in lines[0]
    assert not Store.open(other).builds()


def test_unmeasured_rows_carry_no_tier_and_no_efficiency(seeded_db: str) -> None:
    rows = board(seeded_db, "--preset", "reasoning", "--suite", "v1")["rows"]
    missing = [r for r in rows if "no-measurement" in r["flags"]]
    assert any(r["tier"] == "top" for r in missing)  # the score alone would say top
    out = run(
        "leaderboard", "--preset", "reasoning", "--suite", "v1", "--format", "md",
        "--db", seeded_db,
    )  # fmt: skip
    header, *lines = [ln for ln in out.splitlines() if ln.startswith("| ")]
    cols = [c.strip() for c in header.strip("|").split("|")]
    table = [
        dict(zip(cols, (c.strip() for c in ln.strip("|").split("|")), strict=True)) for ln in lines
    ]
    unmeasured = [r for r in table if r["Throughput tok/s"] == "no measurement"]
    assert len(unmeasured) == len(missing)
    assert {r["Tier"] for r in unmeasured} == {"–"}
    assert {r["Efficiency tok/s/GB"] for r in unmeasured} == {"–"}
    measured = [r for r in table if r["Throughput tok/s"] != "no measurement"]
    assert "–" not in {r["Tier"] for r in measured}
    assert all(r["Efficiency tok/s/GB"] != "–" for r in measured)
