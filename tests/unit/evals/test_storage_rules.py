"""When a measured score may be stored: not after > 10 % failed requests, not for a --limit
slice unless asked; a stored slice says it is partial."""

from __future__ import annotations

import pytest

from arena.evals import Item, Outcome, Task, TaskResult
from arena.evals.storage import not_stored_reason, quality_record


def _task(n: int, full_size: int | None = None) -> Task:
    items = [Item(f"q{i}", f"prompt {i}", "A") for i in range(n)]
    return Task("mmlu-pro", "mmlu_pro", items, lambda it, t: (True, "A"), 64, "all", "k",
                full_size=full_size)  # fmt: skip


def _result(n: int, failed: int, full_size: int | None = None) -> TaskResult:
    outcomes = [
        Outcome(
            f"q{i}",
            not bad,
            None if bad else "A",
            None if bad else "stop",
            bad,
            f"HTTP 500: boom {i}" if bad else None,
            None,
            0.1,
        )
        for i in range(n)
        for bad in [i >= n - failed]
    ]
    return TaskResult(_task(n, full_size), outcomes, asked=n, seconds=1.0)


@pytest.mark.parametrize(("failed", "too_many"), [(0, False), (3, False), (4, True), (30, True)])
def test_more_than_ten_percent_failed_is_too_many(failed: int, too_many: bool) -> None:
    assert _result(30, failed).too_many_failed is too_many


def test_too_many_failed_names_count_first_error_and_resume() -> None:
    reason = not_stored_reason(_result(30, 30), store_partial=True)
    assert reason == (
        "mmlu-pro: 30/30 requests failed (first: HTTP 500: boom 0); score not stored; rerun "
        "with --resume to ask the failed ones again (answered questions are kept in the "
        "checkpoint)"
    )


def test_partial_needs_store_partial() -> None:
    partial = _result(20, 0, full_size=1000)
    assert partial.task.partial
    assert not_stored_reason(partial, store_partial=False) == (
        "mmlu-pro: not stored: partial run (--limit); use --store-partial to store it"
    )
    assert not_stored_reason(partial, store_partial=True) is None
    assert not_stored_reason(_result(20, 0, full_size=20), store_partial=False) is None


def test_stored_partial_record_says_partial() -> None:
    rec = quality_record(_result(20, 0, full_size=1000), "b", "Base/M", "m", 42)
    assert rec.note is not None
    assert rec.note.startswith("partial: first 20 of 1000 (--limit), n=20")
    assert rec.details is not None
    assert rec.details["partial"] is True
    assert rec.details["partial_of"] == 1000


def test_complete_record_is_not_marked_partial() -> None:
    rec = quality_record(_result(20, 1, full_size=20), "b", "Base/M", "m", 42)
    assert rec.details is not None
    assert "partial" not in rec.details
    assert rec.note is not None
    assert "partial" not in rec.note
