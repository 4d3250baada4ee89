"""`arena compare`: JSON is the library's comparison, Markdown is tables, bad ids are one line."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.conftest import Outcome

BF16, FP8 = "qwen-3.6-35b-a3b-bf16", "qwen-3.6-35b-a3b-fp8"


def test_json_names_the_contract_fields(seeded_db: str, arena_main: Callable[..., Outcome]) -> None:
    res = arena_main("compare", BF16, FP8, "--format", "json", "--db", seeded_db)
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    for key in ("suite", "builds", "benches", "quality", "vram", "config_diff", "runs_over_time"):
        assert key in data
    assert [b["id"] for b in data["builds"]] == [BF16, FP8]
    chat = next(b for b in data["benches"] if b["bench"] == "chat")
    assert set(chat) >= {"bench", "unit", "values", "delta_pct", "exceeds_spread"}
    assert len(chat["values"]) == 2


def test_suite_option_and_markdown_tables(
    seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    data = json.loads(
        arena_main(
            "compare", BF16, FP8, "--suite", "v1", "--format", "json", "--db", seeded_db
        ).stdout
    )
    assert data["suite"] == "v1"
    res = arena_main("compare", BF16, FP8, "--suite", "v1", "--format", "md", "--db", seeded_db)
    assert res.code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == (
        f"# Compare · suite v1 · hardware dgx-spark (DGX Spark · GB10 · 128 GB unified) · "
        f"reference {BF16}"
    )
    header = next(line for line in lines if line.startswith("| Bench | Unit |"))
    assert f"({BF16})" in header
    assert f"({FP8})" in header
    chat = next(b for b in data["benches"] if b["bench"] == "chat")
    row = next(line for line in lines if line.startswith("| chat |"))
    assert f"{chat['delta_pct'][1]:+.1f} %" in row
    assert "## Runs over time" in res.stdout
    assert any(line.startswith("Spread rule: ") for line in lines)


def test_the_table_lists_both_builds(seeded_db: str, arena_main: Callable[..., Outcome]) -> None:
    res = arena_main("compare", BF16, FP8, "--db", seeded_db)
    assert res.code == 0, res.stderr
    flat = " ".join(res.stdout.split())
    assert f"reference {BF16}" in flat
    assert "exceeds spread" in flat


def test_an_unknown_id_is_one_line(seeded_db: str, arena_main: Callable[..., Outcome]) -> None:
    res = arena_main("compare", BF16, "no-such-build", "--db", seeded_db)
    assert res.code == 1
    assert res.stdout == ""
    assert res.stderr.count("\n") == 1
    assert "unknown build 'no-such-build'" in res.stderr
    one = arena_main("compare", BF16, "--db", seeded_db)
    assert one.code == 1
    assert "2 to 4 build ids; got 1" in one.stderr
