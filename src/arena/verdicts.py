"""Verdicts as types: why a request failed and how a result is flagged, so no code parses prose."""

from __future__ import annotations

import enum


class ErrorKind(enum.StrEnum):
    """Why one request failed; the human detail stays in the error text beside it."""

    REFUSED = "refused"  # nothing listens: the server is gone or not started
    CONNECT_TIMEOUT = "connect-timeout"
    CONNECTION_LOST = "connection-lost"  # reset or closed mid-request
    HTTP_STATUS = "http-status"  # a non-2xx answer
    TIMEOUT = "timeout"  # first token, between tokens, or the whole answer
    MALFORMED = "malformed"  # undecodable SSE or JSON
    STREAM_ERROR = "stream-error"  # an error event inside the stream
    NO_TEXT = "no-text"  # the stream ended without generated text
    GRADING = "grading"  # an eval answer came back but could not be graded
    OTHER = "other"

    @property
    def server_gone(self) -> bool:
        """The kinds that mean the server is not reachable any more."""
        return self in (ErrorKind.REFUSED, ErrorKind.CONNECTION_LOST)


UNRELIABLE_SHARE = 0.10  # more failed requests than this share make a result unreliable


def is_unreliable(completed: int, failed: int) -> bool:
    """The one rule, for measured and imported results alike: > 10 % of requests failed."""
    total = completed + failed
    return total > 0 and failed / total > UNRELIABLE_SHARE


class Flag(enum.StrEnum):
    """A stored result's verdict, kept in its own column beside the human notes."""

    SUSPECT = "suspect"  # the sanity question failed: the model may be broken
    UNRELIABLE = "unreliable"  # more than 10 % of the bench's requests failed
    # measured by `arena bench` with more than 10 % (or all) requests failed: a failed attempt,
    # kept with its run but never shown or ranked as the build's result (imported results with
    # the same share keep UNRELIABLE alone and stay ranked with the flag)
    FAILED = "failed"
