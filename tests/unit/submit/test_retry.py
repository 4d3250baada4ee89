"""What an answer means for a run, how long the client waits, and what the exit code says."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from arena.submit import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_UNAUTHORIZED,
    EXIT_UNREACHABLE,
    Backoff,
    RunOutcome,
    Status,
    SubmitReport,
    Verdict,
    exit_code,
    retry_after,
    verdict,
)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (201, Verdict.CREATED),
        (200, Verdict.EXISTS),
        (401, Verdict.UNAUTHORIZED),
        (409, Verdict.REJECTED),
        (413, Verdict.REJECTED),
        (422, Verdict.REJECTED),
        (404, Verdict.REJECTED),
        (408, Verdict.RETRY),
        (429, Verdict.RETRY),
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
        (None, Verdict.RETRY),
    ],
)
def test_each_status_has_one_meaning(status: int | None, expected: Verdict) -> None:
    assert verdict(status) is expected


def test_backoff_doubles_up_to_its_cap_with_jitter_between_half_and_all() -> None:
    b = Backoff(base=0.5, factor=2.0, cap=4.0)
    assert [b.ceiling(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    rng = random.Random(7)
    for n in range(6):
        waits = [b.delay(n, rng) for _ in range(200)]
        assert all(w is not None and b.ceiling(n) / 2 <= w <= b.ceiling(n) for w in waits)
        assert len(set(waits)) > 100  # jittered, not one fixed figure
    schedule = b.schedule(4, random.Random(1))
    assert len(schedule) == 4
    assert all(b.ceiling(n) / 2 <= w <= b.ceiling(n) for n, w in enumerate(schedule))


def test_a_retry_after_is_waited_in_full_unless_it_is_too_long() -> None:
    b = Backoff(base=1.0, cap=8.0, max_wait=60.0)
    rng = random.Random(3)
    for n in range(4):
        wait = b.delay(n, rng, asked=5.0)
        assert wait is not None
        assert 5.0 <= wait <= 5.0 + b.ceiling(n) / 2
    assert b.delay(0, rng, asked=61.0) is None


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("3") == 3.0
    assert retry_after(" 2.5 ") == 2.5
    assert retry_after("-4") == 0.0
    assert retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0.0
    assert retry_after(None) is None
    assert retry_after("soon") is None
    assert retry_after("nan") is None


def _report(*statuses: Status, stopped: Verdict | None = None) -> SubmitReport:
    outcomes = [RunOutcome(f"r{i}", s) for i, s in enumerate(statuses)]
    return SubmitReport("http://board", outcomes, stopped)


def test_exit_codes_say_what_happened() -> None:
    assert exit_code(_report()) == EXIT_OK == 0
    assert exit_code(_report(Status.CREATED, Status.EXISTS)) == EXIT_OK
    assert exit_code(_report(Status.CREATED, Status.FAILED)) == EXIT_REJECTED == 1
    waiting = _report(Status.FAILED, Status.WAITING, stopped=Verdict.RETRY)
    assert exit_code(waiting) == EXIT_UNREACHABLE == 4
    refused = _report(Status.CREATED, Status.WAITING, Status.WAITING, stopped=Verdict.UNAUTHORIZED)
    assert exit_code(refused) == EXIT_UNAUTHORIZED == 5
