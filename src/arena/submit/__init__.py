"""Submitting local runs to a board: the outbox read as bundles, POSTed with retries."""

from arena.submit.bundles import bundle_body, local_bundle
from arena.submit.client import Answer, board_url, post_once, post_run
from arena.submit.deliver import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_UNAUTHORIZED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    RunOutcome,
    Status,
    SubmitOptions,
    SubmitReport,
    deliver,
    exit_code,
    submit,
)
from arena.submit.retry import Backoff, Verdict, retry_after, verdict

__all__ = [
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_UNAUTHORIZED",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "Answer",
    "Backoff",
    "RunOutcome",
    "Status",
    "SubmitOptions",
    "SubmitReport",
    "Verdict",
    "board_url",
    "bundle_body",
    "deliver",
    "exit_code",
    "local_bundle",
    "post_once",
    "post_run",
    "retry_after",
    "submit",
    "verdict",
]
