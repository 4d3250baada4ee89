"""POST one run bundle to a board; what its answer means for the run (done, retry later, give
up) and how long to wait before the next try."""

from __future__ import annotations

import asyncio
import enum
import json
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from arena.errors import ArenaError

RUNS_PATH = "/api/runs"
ERROR_CAP = 300  # characters of a board's error text kept in the outbox


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


@dataclass(frozen=True)
class Answer:
    """The board's last answer to one run: status (None when none came), body, wait asked."""

    status: int | None
    body: dict[str, Any] = field(default_factory=dict)
    retry_after: float | None = None
    error: str | None = None  # why it failed, in words: the board's "error" or the network's
    tries: int = 1

    @property
    def verdict(self) -> Verdict:
        """What the answer means for the run."""
        if self.status in (200, 201) and not isinstance(self.body.get("run_id"), str):
            return Verdict.REJECTED  # a 2xx without the run id the contract promises
        return verdict(self.status)


def board_url(text: str) -> str:
    """The board's base URL, as the outbox keys it (no trailing slash); an error names it."""
    url = text.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArenaError(f"--to {text!r}: expected the board's http(s) URL, e.g. http://host:8000")
    if parts.query or parts.fragment:
        raise ArenaError(f"--to {text!r}: expected a URL without ?query or #fragment")
    return url


def make_session(token: str, timeout: float) -> aiohttp.ClientSession:
    """One session per submit: bearer auth; connect and the whole request bounded by `timeout`."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=timeout),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


async def post_once(session: aiohttp.ClientSession, target: str, body: bytes) -> Answer:
    """One POST; a network failure or timeout is an answer with no status."""
    try:
        async with session.post(target + RUNS_PATH, data=body) as resp:
            raw = await resp.read()
            wait = retry_after(resp.headers.get("Retry-After"))
            parsed = _json_object(raw)
            error = None
            if resp.status not in (200, 201):
                said = parsed.get("error")
                text = said if isinstance(said, str) else raw.decode("utf-8", "replace").strip()
                error = f"HTTP {resp.status}: {text or resp.reason or 'no reason given'}"
            return Answer(resp.status, parsed, wait, _cap(error))
    except TimeoutError:
        timeout = session.timeout.total
        return Answer(None, error=f"no answer within --timeout {timeout:g} s")
    except aiohttp.ClientError as exc:
        return Answer(None, error=_cap(f"board unreachable ({_reason(exc)})"))


async def post_run(
    session: aiohttp.ClientSession,
    target: str,
    body: bytes,
    retries: int,
    backoff: Backoff,
    rng: random.Random,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Answer:
    """Send until the board answers something other than "retry", at most 1 + `retries` times."""
    answer = await post_once(session, target, body)
    tries = 1
    for attempt in range(retries):
        if answer.verdict is not Verdict.RETRY:
            break
        wait = backoff.delay(attempt, rng, answer.retry_after)
        if wait is None:
            error = f"{answer.error}; the board asks to wait {answer.retry_after:g} s"
            return Answer(answer.status, answer.body, answer.retry_after, error, tries)
        await sleep(wait)
        answer = await post_once(session, target, body)
        tries += 1
    return Answer(answer.status, answer.body, answer.retry_after, answer.error, tries)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _reason(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return str(exc.os_error.strerror or exc.os_error) if exc.os_error else str(exc)
    return str(exc) or type(exc).__name__


def _cap(text: str | None) -> str | None:
    if text is None or len(text) <= ERROR_CAP:
        return text
    return text[: ERROR_CAP - 1] + "…"
