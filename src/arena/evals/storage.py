"""When a task's result becomes the build's measured score, and the record that is stored then."""

from __future__ import annotations

import datetime as dt
from typing import NotRequired, TypedDict

from arena.evals.runner import PROTOCOL, TEMPERATURE
from arena.evals.task_types import TaskResult
from arena.records import QualityRecord
from arena.store import Store


class MeasuredDetails(TypedDict):
    """The `details` JSON of a measured score: everything needed to judge and repeat it."""

    protocol: str
    task: str
    n: int
    correct: int
    accuracy: float
    ci95_low: float
    ci95_high: float
    ci_method: str
    temperature: float
    max_tokens: int
    cut_off: int
    failed_requests: int
    no_answer: int
    seed: int
    subset: str
    data: str | None
    streaming: bool
    model: str
    questions_per_minute: float | None
    date: str
    sandbox: NotRequired[str]  # HumanEval: the isolation its programs ran under
    sandbox_timeout_s: NotRequired[float]
    partial: NotRequired[bool]  # a --limit slice, stored with --store-partial
    partial_of: NotRequired[int | None]  # the full subset's size


def full_measured_n(store: Store, build_id: str, metric: str) -> int | None:
    """Sample size of the build's stored full (not --limit) measured score, if it has one."""
    view = store.build(build_id)
    for q in view.quality if view else []:
        details = q.details or {}
        mine = q.build_id == build_id and q.metric == metric and q.kind == "measured"
        if mine and not details.get("partial"):
            return int(details.get("n") or 0)
    return None


def not_stored_reason(r: TaskResult, store_partial: bool, full_n: int | None = None) -> str | None:
    """Why this result must not become the build's measured score (None: store it)."""
    # Too many failed requests would store a meaningless low number that then wins the default
    # preference (measured first); a --limit slice is not the protocol's sample unless asked for.
    name = r.task.name
    if r.too_many_failed:
        return (
            f"{name}: {r.failed}/{r.n} requests failed (first: {r.first_error}); score not "
            "stored; rerun with --resume to ask the failed ones again (answered questions are "
            "kept in the checkpoint)"
        )
    if r.task.partial and not store_partial:
        return f"{name}: not stored: partial run (--limit); use --store-partial to store it"
    if r.task.partial and full_n is not None:
        return (
            f"{name}: not stored: the build has a full measured score (n={full_n}); a --limit "
            f"slice (n={r.n}) does not replace it"
        )
    return None


def quality_record(
    r: TaskResult, build_id: str, base_model: str, model: str, seed: int
) -> QualityRecord:
    """The measured number for the build, with everything needed to judge and repeat it."""
    date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    low, high = r.ci95
    t = r.task
    details: MeasuredDetails = {
        "protocol": PROTOCOL,
        "task": t.name,
        "n": r.n,
        "correct": r.correct,
        "accuracy": round(r.accuracy * 100, 2),
        "ci95_low": round(low * 100, 2),
        "ci95_high": round(high * 100, 2),
        "ci_method": "wilson",
        "temperature": TEMPERATURE,
        "max_tokens": t.max_tokens,
        "cut_off": r.cut_off,
        "failed_requests": r.failed,
        "no_answer": r.unparsed,
        "seed": seed,
        "subset": t.subset,
        "data": t.source_file,
        "streaming": False,
        "model": model,
        "questions_per_minute": None if r.per_minute is None else round(r.per_minute, 2),
        "date": date,
    }
    if t.sandbox is not None and t.sandbox_timeout_s is not None:
        details["sandbox"] = t.sandbox
        details["sandbox_timeout_s"] = t.sandbox_timeout_s
    note = f"n={r.n}, 95% CI {low * 100:.1f}–{high * 100:.1f} (Wilson)"
    if t.partial:
        details["partial"] = True
        details["partial_of"] = t.full_size
        note = f"partial: first {r.n} of {t.full_size} (--limit), " + note
    if r.cut_off:
        note += f", {r.cut_off} cut off at {t.max_tokens} tokens"
    if r.failed:
        note += f", {r.failed} failed requests"
    return QualityRecord(
        base_model=base_model,
        metric=t.metric,
        value=round(r.accuracy * 100, 2),
        source=f"arena eval {PROTOCOL}",
        retrieved=date,
        kind="measured",
        build_id=build_id,
        note=note,
        details=dict(details),
    )
