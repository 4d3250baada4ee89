"""A request body for an OpenAI-compatible server, and the timed result of sending it."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from arena.verdicts import ErrorKind

Endpoint = Literal["chat", "completions"]


@dataclass(frozen=True)
class Timeouts:
    """Per-request limits in seconds: connect, first generated text, gap between chunks."""

    connect: float = 10.0
    first_token: float = 600.0
    between_tokens: float = 120.0

    @property
    def answer(self) -> float:
        """The longest a request waits in silence: to connect, then to its first token; every
        other call (model list, /tokenize, probes) is bounded by it too."""
        return self.connect + self.first_token

    @property
    def longest_wait(self) -> float:
        """The longest silent wait of any request: before its first token or between two."""
        return max(self.answer, self.between_tokens)


@dataclass
class RequestResult:
    """What one request did; times are perf_counter seconds."""

    ok: bool = False
    error: str | None = None  # for people; code reads `kind`
    kind: ErrorKind | None = None
    t_send: float = 0.0
    t_first_any: float | None = None
    t_first: float | None = None
    t_last: float | None = None
    t_done: float | None = None
    content_times: list[float] = field(default_factory=list)
    content_chars: list[int] = field(default_factory=list)
    output_tokens: int = 0
    token_source: Literal["usage", "chunks"] = "chunks"
    prompt_tokens: int | None = None
    text: str = ""
    finish_reason: str | None = None
    status: int | None = None
    retried: bool = False
    pooled: bool = False  # sent on a kept-alive connection from the pool

    def fail(self, kind: ErrorKind, text: str) -> RequestResult:
        """Mark the request failed with its kind and a human reason (kept if one was set)."""
        self.kind = kind
        self.error = self.error or text
        return self

    @property
    def ttfr(self) -> float | None:
        """Seconds from send to the first chunk carrying `choices`, role-only ones included."""
        # llama-benchy's "time to first response" (client.py: first_response_ts is stamped on the
        # first `data:` event whose `choices` list is non-empty); usage-only events do not count.
        return None if self.t_first_any is None else self.t_first_any - self.t_send

    @property
    def ttft(self) -> float | None:
        """Seconds from send to the first chunk that carries generated text."""
        return None if self.t_first is None else self.t_first - self.t_send

    @property
    def e2el(self) -> float | None:
        """Seconds from send to the end of the stream."""
        return None if self.t_done is None else self.t_done - self.t_send

    @property
    def decode_tps(self) -> float | None:
        """(tokens after the first) / (t_last - t_first), llama-benchy's tg rate per request."""
        if self.t_first is None or self.t_last is None or self.output_tokens < 2:
            return None
        span = self.t_last - self.t_first
        return (self.output_tokens - 1) / span if span > 0 else None

    @property
    def tpot(self) -> float | None:
        """(E2EL - TTFT) / (n - 1) seconds, vllm bench serve's TPOT."""
        if self.e2el is None or self.ttft is None or self.output_tokens < 2:
            return None
        return (self.e2el - self.ttft) / (self.output_tokens - 1)

    def token_times(self) -> list[float]:
        """One timestamp per output token (computed after the stream, never inside it)."""
        # One token per content chunk when the counts agree. When `usage` reports more (or fewer)
        # tokens than there were chunks (MTP / speculative decoding sends several tokens per
        # chunk), the usage count is shared out over the chunks in proportion to their text
        # length, and a chunk's k tokens are spread evenly between the previous token's time and
        # the chunk's own time, the rule llama-benchy applies to chunks that carry k token ids.
        times, n = self.content_times, self.output_tokens
        if not times or n <= 0:
            return []
        if n == len(times) or self.token_source == "chunks":
            return list(times)
        counts = _share(n, self.content_chars or [1] * len(times))
        out: list[float] = []
        prev = times[0]
        for t, k in zip(times, counts, strict=True):
            if k <= 0:
                continue
            out += [prev + (t - prev) * (i + 1) / k for i in range(k)]
            prev = t
        return out

    def itls(self) -> list[float]:
        """Gaps between consecutive content chunks (seconds)."""
        t = self.content_times
        return [b - a for a, b in itertools.pairwise(t)]


def _share(n: int, weights: list[int]) -> list[int]:
    """Split n into len(weights) integers proportional to the weights (largest remainder)."""
    w = [max(1, x) for x in weights]
    total = sum(w)
    raw = [n * x / total for x in w]
    base = [int(r) for r in raw]
    order = sorted(range(len(w)), key=lambda i: raw[i] - base[i], reverse=True)
    for i in order[: n - sum(base)]:
        base[i] += 1
    return base


def payload(
    model: str,
    endpoint: Endpoint,
    prompt: str | list[dict[str, str]],
    max_tokens: int,
    force_length: bool,
    extra: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """The JSON body; force_length asks for exactly max_tokens (ignore_eos, min_tokens)."""
    body: dict[str, object] = {
        "model": model,
        "max_tokens": max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.0,
    }
    if endpoint == "chat":
        body["messages"] = (
            prompt if isinstance(prompt, list) else [{"role": "user", "content": prompt}]
        )
    else:
        body["prompt"] = prompt if isinstance(prompt, str) else prompt[-1]["content"]
    if force_length:
        body["ignore_eos"] = True
        body["min_tokens"] = max_tokens
    if extra:
        body.update(extra)
    return body


def encode(body: Mapping[str, object]) -> bytes:
    """JSON bytes of a request body; built before a measured window, not inside it."""
    return json.dumps(body, separators=(",", ":")).encode()


def token_source(results: list[RequestResult]) -> str:
    """'usage' when every successful request's count came from `usage`, else 'chunks'."""
    ok = [r for r in results if r.ok]
    return "usage" if ok and all(r.token_source == "usage" for r in ok) else "chunks"


def error_counts(results: list[RequestResult]) -> dict[str, int]:
    """Distinct failure reasons with their counts, in order of first appearance."""
    out: dict[str, int] = {}
    for r in results:
        if not r.ok:
            reason = r.error or "unknown error"
            out[reason] = out.get(reason, 0) + 1
    return out
