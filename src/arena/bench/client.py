"""One streaming request to an OpenAI-compatible server, timed chunk by chunk on the event loop."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp

from arena.bench.sse import SSEError, SSEParser

Endpoint = Literal["chat", "completions"]
TEXT_CAP = 4096


@dataclass(frozen=True)
class Timeouts:
    """Per-request limits in seconds: connect, first generated text, gap between chunks."""

    connect: float = 10.0
    first_token: float = 600.0
    between_tokens: float = 120.0


@dataclass
class RequestResult:
    """What one request did; times are perf_counter seconds."""

    ok: bool = False
    error: str | None = None
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

    @property
    def ttfr(self) -> float | None:
        """Seconds from send to the first chunk carrying `choices`, role-only ones included.

        llama-benchy's "time to first response" (client.py: first_response_ts is stamped on the
        first `data:` event whose `choices` list is non-empty); usage-only events do not count.
        """
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
        """One timestamp per output token (computed after the stream, never inside it).

        One token per content chunk when the counts agree. When `usage` reports more (or fewer)
        tokens than there were chunks (MTP / speculative decoding sends several tokens per
        chunk), the usage count is shared out over the chunks in proportion to their text
        length, and a chunk's k tokens are spread evenly between the previous token's time and
        the chunk's own time, the rule llama-benchy applies to chunks that carry k token ids.
        """
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
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON body; force_length asks for exactly max_tokens (ignore_eos, min_tokens)."""
    body: dict[str, Any] = {
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


def encode(body: dict[str, Any]) -> bytes:
    """JSON bytes of a request body; built before a measured window, not inside it."""
    return json.dumps(body, separators=(",", ":")).encode()


def _chunk_text(event: dict[str, Any]) -> str | None:
    """Generated (or reasoning) text in one chunk; None for role-only or empty chunks."""
    choices = event.get("choices") or []
    if not choices:
        return None
    ch = choices[0]
    delta = ch.get("delta")
    if isinstance(delta, dict):
        for key in ("content", "reasoning_content", "reasoning"):
            value = delta.get(key)
            if value:
                return str(value)
        return None
    text = ch.get("text")
    return str(text) if text else None


async def stream_request(
    session: aiohttp.ClientSession,
    url: str,
    body: dict[str, Any] | bytes,
    timeouts: Timeouts,
    headers: dict[str, str] | None = None,
) -> RequestResult:
    """One request; retried once when a pooled connection the server had closed fails to send."""
    res = await _stream_once(session, url, body, timeouts, headers)
    stale = (
        res.status is None
        and res.t_first_any is None
        and (res.error or "").startswith("connection lost")
    )
    if stale:
        res = await _stream_once(session, url, body, timeouts, headers)
        res.retried = True
    return res


async def _stream_once(
    session: aiohttp.ClientSession,
    url: str,
    body: dict[str, Any] | bytes,
    timeouts: Timeouts,
    headers: dict[str, str] | None = None,
) -> RequestResult:
    """Send, read with iter_any, timestamp every content chunk; failures carry their reason."""
    res = RequestResult()
    parser = SSEParser()
    loop = asyncio.get_running_loop()
    res.t_send = time.perf_counter()
    try:
        async with asyncio.timeout(timeouts.connect + timeouts.first_token) as limit:
            data = body if isinstance(body, bytes) else encode(body)
            hdrs = {"Content-Type": "application/json", **(headers or {})}
            async with session.post(url, data=data, headers=hdrs) as resp:
                res.status = resp.status
                if resp.status >= 400:
                    detail = (await resp.text())[:200].replace("\n", " ")
                    res.error = f"HTTP {resp.status}: {detail}"
                    return res
                limit.reschedule(loop.time() + timeouts.first_token)
                async for raw in resp.content.iter_any():
                    now = time.perf_counter()
                    seen = len(res.content_times)
                    done = _consume(res, parser.feed(raw), now)
                    # only generated text moves the deadline: SSE comments (": ping"), role-only
                    # and usage events must not keep a stream that produces nothing alive
                    if len(res.content_times) > seen:
                        limit.reschedule(loop.time() + timeouts.between_tokens)
                    if done:
                        break
                else:
                    _consume(res, parser.close(), time.perf_counter())
    except TimeoutError:
        phase = "first token" if res.t_first is None else "next token"
        res.error = f"timeout waiting for {phase}"
        return res
    except SSEError as exc:
        res.error = f"malformed SSE: {exc}"
        return res
    except aiohttp.ClientConnectorError as exc:
        res.error = f"connection refused: {exc.os_error or exc}"
        return res
    except (aiohttp.ClientError, ConnectionError) as exc:
        res.error = f"connection lost: {type(exc).__name__}: {exc}"[:300]
        return res
    except _StreamError as exc:
        res.error = str(exc)
        return res
    res.t_done = time.perf_counter()
    if res.t_first is None:
        res.error = res.error or "stream ended without generated text"
        return res
    res.ok = True
    return res


class _StreamError(Exception):
    """An error object or undecodable JSON inside the stream."""


def _consume(res: RequestResult, events: list[str], now: float) -> bool:
    """Apply parsed events to the result; True at [DONE]."""
    for data in events:
        if data == "[DONE]":
            return True
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise _StreamError(f"malformed SSE: not JSON: {data[:80]!r}") from exc
        if not isinstance(event, dict):
            raise _StreamError(f"malformed SSE: not an object: {data[:80]!r}")
        if "error" in event:
            raise _StreamError(f"server error in stream: {str(event['error'])[:200]}")
        choices = event.get("choices") or []
        if choices and res.t_first_any is None:
            res.t_first_any = now
        text = _chunk_text(event)
        if text is not None:
            if res.t_first is None:
                res.t_first = now
            res.t_last = now
            res.content_times.append(now)
            res.content_chars.append(len(text))
            if res.token_source == "chunks":
                res.output_tokens += 1
            if len(res.text) < TEXT_CAP:
                res.text += text
        if choices and choices[0].get("finish_reason"):
            res.finish_reason = choices[0]["finish_reason"]
        usage = event.get("usage")
        if isinstance(usage, dict) and usage.get("completion_tokens") is not None:
            res.output_tokens = int(usage["completion_tokens"])
            res.token_source = "usage"
            if usage.get("prompt_tokens") is not None:
                res.prompt_tokens = int(usage["prompt_tokens"])
    return False


def make_session(api_key: str | None, timeouts: Timeouts) -> aiohttp.ClientSession:
    """One session for the run: no connection cap (limit=0), bearer auth when given."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return aiohttp.ClientSession(
        # idle connections are dropped before the 5 s keep-alive of uvicorn (vLLM, SGLang) and
        # cpp-httplib (llama.cpp), so a pooled connection is rarely closed under a request
        connector=aiohttp.TCPConnector(limit=0, force_close=False, keepalive_timeout=3.0),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeouts.connect),
        headers=headers,
    )
