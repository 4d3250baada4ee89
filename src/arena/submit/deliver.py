"""Deliver the outbox to a board: each run once acknowledged is marked delivered and never resent;
what the board cannot take now stays queued for the next submit."""

from __future__ import annotations

import enum
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

from arena import aio
from arena.dataset.bundle import RunBundle, to_bundle
from arena.errors import ArenaError
from arena.store import Store
from arena.store import outbox as box
from arena.store.outbox import OutboxEntry, run_parts
from arena.submit.client import Backoff, Verdict, make_session, post_run

# Exit codes of `arena submit` (cli/submit.py prints them in --help).
EXIT_OK = 0  # every run delivered (created on the board or there already)
EXIT_REJECTED = 1  # some run refused as it is (409, 413, 422): kept queued, tried once per submit
EXIT_USAGE = 2  # a bad option, URL or run id; nothing sent
EXIT_UNREACHABLE = 4  # no answer, or 5xx / 429 after the retries: runs stay in the outbox
EXIT_UNAUTHORIZED = 5  # 401: the token is missing, wrong or revoked; nothing more was sent


def local_bundle(store: Store, run_id: str) -> RunBundle:
    """The run `run_id` of the local database with its build, hardware, base model, results."""
    parts = run_parts(store, run_id)
    if parts is None:
        raise ArenaError(f"run '{run_id}' is not in the local database")
    return RunBundle(parts.hardware, parts.build, parts.run, parts.results, parts.base_model)


def bundle_body(bundle: RunBundle) -> bytes:
    """The bundle as strict JSON bytes; a non-finite number is named, not sent as NaN."""
    try:
        return json.dumps(to_bundle(bundle), allow_nan=False, default=str).encode("utf-8")
    except ValueError as exc:
        raise ArenaError(
            f"run '{bundle.run.id}': holds a non-finite number (NaN or infinity); "
            "expected finite numbers only"
        ) from exc


class Status(enum.StrEnum):
    """Where one run stands after a submit."""

    CREATED = "created"
    EXISTS = "exists"
    FAILED = "failed"  # refused for good as it is (recorded as the outbox's last_error)
    WAITING = "waiting"  # still in the outbox: the board could not take it now


@dataclass(frozen=True)
class SubmitOptions:
    """Where to send, with what token, and how long and often to try."""

    target: str  # the board's base URL (client.board_url)
    token: str
    timeout: float = 30.0  # seconds per request, connect included
    retries: int = 4
    backoff: Backoff = field(default_factory=Backoff)
    seed: int | None = None  # jitter seed; None = fresh randomness


@dataclass(frozen=True)
class RunOutcome:
    """One run's result: its status, the board's run id when delivered, why when not."""

    run_id: str
    status: Status
    board_run_id: str | None = None
    build_id: str | None = None
    reason: str | None = None
    tries: int = 0


@dataclass
class SubmitReport:
    """Every run this submit dealt with and, if it stopped early, why."""

    target: str
    outcomes: list[RunOutcome] = field(default_factory=list)
    stopped: Verdict | None = None  # UNAUTHORIZED or RETRY when the rest was not sent
    asked: tuple[str, ...] | None = None  # the runs asked for; None = every one not delivered
    bundled_held: int = 0  # runs of bundled datasets not delivered and not sent (no opt-in)
    delivered_before: list[OutboxEntry] = field(default_factory=list)  # acknowledged earlier

    def count(self, status: Status) -> int:
        """How many runs ended in `status`."""
        return sum(o.status is status for o in self.outcomes)


def exit_code(report: SubmitReport) -> int:
    """401 first (nothing more can go), then runs left waiting, then runs refused, else 0."""
    if report.stopped is Verdict.UNAUTHORIZED:
        return EXIT_UNAUTHORIZED
    if report.count(Status.WAITING):
        return EXIT_UNREACHABLE
    if report.count(Status.FAILED):
        return EXIT_REJECTED
    return EXIT_OK


_NOT_SENT = {
    Verdict.UNAUTHORIZED: "not sent: the board refused the token",
    Verdict.RETRY: "not sent: the board could not take runs",
}

Progress = Callable[[RunOutcome, int, int], None]  # outcome, runs done, runs in all


def submit(
    store: Store,
    options: SubmitOptions,
    run_ids: Sequence[str] | None = None,
    include_bundled: bool = False,
    on_run: Progress | None = None,
) -> SubmitReport:
    """Queue `run_ids` (or every local run the target has not acknowledged, bundled datasets'
    runs only with `include_bundled`) and deliver them (the whole queue when `run_ids` is None);
    the report also says what was not sent: bundled runs held back, runs delivered earlier."""
    held = 0
    if run_ids is not None:
        ids = list(run_ids)
    else:
        ids = box.undelivered_runs(store, options.target, include_bundled)
        if not include_bundled:
            held = len(box.undelivered_runs(store, options.target, True)) - len(ids)
    before = [
        e
        for e in box.entries(store, options.target)
        if e.delivered_at is not None and (run_ids is None or e.run_id in ids)
    ]
    box.enqueue(store, options.target, ids)
    report = deliver(store, options, run_ids, on_run)
    report.asked = None if run_ids is None else tuple(ids)
    report.bundled_held, report.delivered_before = held, before
    return report


def deliver(
    store: Store,
    options: SubmitOptions,
    run_ids: Sequence[str] | None = None,
    on_run: Progress | None = None,
) -> SubmitReport:
    """Send the runs queued for the target (only `run_ids` when given), least tried first."""
    queued = box.pending(store, options.target, run_ids)
    return aio.run(_deliver(store, options, [e.run_id for e in queued], on_run))


async def _deliver(
    store: Store, options: SubmitOptions, run_ids: list[str], on_run: Progress | None
) -> SubmitReport:
    report = SubmitReport(options.target)
    rng = random.Random(options.seed)
    async with make_session(options.token, options.timeout) as session:
        for n, run_id in enumerate(run_ids, 1):
            if report.stopped is not None:
                outcome = RunOutcome(run_id, Status.WAITING, reason=_NOT_SENT[report.stopped])
            else:
                outcome, v = await _send(store, options, session, run_id, rng)
                if v in (Verdict.UNAUTHORIZED, Verdict.RETRY):
                    report.stopped = v
            report.outcomes.append(outcome)
            if on_run is not None:
                on_run(outcome, n, len(run_ids))
    return report


async def _send(
    store: Store,
    options: SubmitOptions,
    session: aiohttp.ClientSession,
    run_id: str,
    rng: random.Random,
) -> tuple[RunOutcome, Verdict]:
    """One run: read, send with retries, record what the board said in the outbox."""
    try:
        body = bundle_body(local_bundle(store, run_id))
    except ArenaError as exc:
        box.mark_attempt(store, run_id, options.target, str(exc))
        return RunOutcome(run_id, Status.FAILED, reason=str(exc)), Verdict.REJECTED
    answer = await post_run(session, options.target, body, options.retries, options.backoff, rng)
    v = answer.verdict
    if v in (Verdict.CREATED, Verdict.EXISTS):
        board_id = str(answer.body["run_id"])
        box.mark_delivered(store, run_id, options.target, board_id, answer.tries)
        build = answer.body.get("build_id")
        status = Status.CREATED if v is Verdict.CREATED else Status.EXISTS
        build_id = build if isinstance(build, str) else None
        return RunOutcome(run_id, status, board_id, build_id, None, answer.tries), v
    reason = answer.error or f"HTTP {answer.status}: an answer without the run id"
    box.mark_attempt(store, run_id, options.target, reason, answer.tries)
    if v is Verdict.RETRY:
        tries = f"{answer.tries} tr{'y' if answer.tries == 1 else 'ies'}"
        reason = f"{reason} after {tries}"
    status = Status.FAILED if v is Verdict.REJECTED else Status.WAITING
    return RunOutcome(run_id, status, reason=reason, tries=answer.tries), v
