"""What a board's answer means for a run (done, retry later, give up) and how long to wait."""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class Verdict(enum.StrEnum):
    """What one HTTP answer (or its absence) means for the run that was sent."""

    CREATED = "created"  # 201: stored now
    EXISTS = "exists"  # 200: the board had it (same id or same content)
    REJECTED = "rejected"  # 409/413/422 and other 4xx: this run will never be taken as it is
    UNAUTHORIZED = "unauthorized"  # 401: the token is refused, for every run alike
    RETRY = "retry"  # no answer, 408, 429 or 5xx: try again later


def verdict(status: int | None) -> Verdict:
    """The verdict of an HTTP status; None means no answer (refused, reset, timed out)."""
    if status is None or status in (408, 429) or status >= 500:
        return Verdict.RETRY
    if status == 201:
        return Verdict.CREATED
    if status == 200:
        return Verdict.EXISTS
    if status == 401:
        return Verdict.UNAUTHORIZED
    return Verdict.REJECTED  # 409, 413, 422, and answers the contract does not name


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delay-seconds or an HTTP date, RFC 9110 10.2.3);
    None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: try n waits up to base x factor^n (at most `cap`), a
    random share of it between half and all, so many boxes that failed together do not come
    back together; a Retry-After the board sent is waited in full, up to `max_wait`."""

    base: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    max_wait: float = 120.0

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed try number `attempt` (0 = the first try)."""
        return min(self.cap, self.base * self.factor**attempt)

    def delay(self, attempt: int, rng: random.Random, asked: float | None = None) -> float | None:
        """Seconds to wait before the next try; None when the board asks for more than
        `max_wait` (the run then stays queued for a later submit)."""
        top = self.ceiling(attempt)
        jittered = top * (0.5 + 0.5 * rng.random())
        if asked is None:
            return jittered
        if asked > self.max_wait:
            return None
        return asked + (jittered - top / 2)  # what was asked, plus a jitter share

    def schedule(self, retries: int, rng: random.Random) -> list[float]:
        """The waits of `retries` retries without Retry-After (for display and tests)."""
        return [d for n in range(retries) if (d := self.delay(n, rng)) is not None]
