"""A row whose counted bench is flagged says so in its tok/s cell, beside the number."""

from __future__ import annotations

from typing import Any

from arena.cli.render import throughput_cell


def row(flags: list[str]) -> Any:
    return {"flags": flags, "throughput_tps": 12.34, "benches_measured": 8, "benches_total": 9}


def test_throughput_cell_names_the_verdict() -> None:
    assert throughput_cell(row([])) == "12.3"
    assert throughput_cell(row(["unreliable"])) == "12.3 unreliable"
    assert throughput_cell(row(["partial-benches", "suspect"])) == "12.3 (8/9 benches) suspect"
    assert throughput_cell(row(["no-measurement", "unreliable"])) == "no measurement"
