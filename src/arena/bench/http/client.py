"""One streaming request to an OpenAI-compatible server, timed chunk by chunk as bytes arrive."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

import aiohttp

from arena.bench.http.request import RequestResult, Timeouts, encode
from arena.bench.http.sse import SSEError, SSEParser
from arena.bench.http.stamping import SendStamp, StampingConnector, rx_clock, send_clock
from arena.verdicts import ErrorKind

TEXT_CAP = 4096


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
    body: Mapping[str, object] | bytes,
    timeouts: Timeouts,
    headers: dict[str, str] | None = None,
) -> RequestResult:
    """One request; retried once when a pooled connection the server had closed fails to send."""
    data = body if isinstance(body, bytes) else encode(body)  # once, also for the retry
    res = await _stream_once(session, url, data, timeouts, headers)
    # a fresh connection that fails before any answer is a real fault: reported, not resent
    stale = (
        res.pooled
        and res.status is None
        and res.t_first_any is None
        and res.kind is ErrorKind.CONNECTION_LOST
    )
    if stale:
        res = await _stream_once(session, url, data, timeouts, headers)
        res.retried = True
    return res


async def _stream_once(
    session: aiohttp.ClientSession,
    url: str,
    data: bytes,
    timeouts: Timeouts,
    headers: dict[str, str] | None = None,
) -> RequestResult:
    """Send, read with iter_any, timestamp every content chunk; failures carry their reason.

    t_send is when the request's bytes are written, a chunk's time when its bytes reached
    aiohttp's protocol (see stamping.py); several arrivals read at once share the latest
    arrival's time, an upper bound for each."""
    res = RequestResult()
    parser = SSEParser()
    loop = asyncio.get_running_loop()
    res.t_send = time.perf_counter()
    try:
        async with asyncio.timeout(timeouts.connect + timeouts.first_token) as limit:
            hdrs = {"Content-Type": "application/json", **(headers or {})}
            stamp = SendStamp(res)  # t_send moves to the moment the bytes are written
            async with session.post(url, data=data, headers=hdrs, trace_request_ctx=stamp) as resp:
                res.status = resp.status
                if resp.status >= 400:
                    detail = (await resp.text())[:200].replace("\n", " ")
                    return res.fail(ErrorKind.HTTP_STATUS, f"HTTP {resp.status}: {detail}")
                limit.reschedule(loop.time() + timeouts.first_token)
                clock = rx_clock(resp)
                async for raw in resp.content.iter_any():
                    now = clock.rx_time if clock and clock.rx_time else time.perf_counter()
                    seen = len(res.content_times)
                    done = _consume(res, parser.feed(raw), now)
                    # only generated text moves the deadline: SSE comments (": ping"), role-only
                    # and usage events must not keep a stream that produces nothing alive
                    if len(res.content_times) > seen:
                        limit.reschedule(loop.time() + timeouts.between_tokens)
                    if done:
                        res.t_done = now
                        break
                else:
                    _consume(res, parser.close(), time.perf_counter())
    except aiohttp.ConnectionTimeoutError:  # a TimeoutError too: caught first
        return res.fail(ErrorKind.CONNECT_TIMEOUT, f"timeout connecting ({timeouts.connect:g} s)")
    except TimeoutError:
        phase = "first token" if res.t_first is None else "next token"
        return res.fail(ErrorKind.TIMEOUT, f"timeout waiting for {phase}")
    except SSEError as exc:
        return res.fail(ErrorKind.MALFORMED, f"malformed SSE: {exc}")
    except aiohttp.ClientConnectorError as exc:
        return res.fail(ErrorKind.REFUSED, f"connection refused: {exc.os_error or exc}")
    except (aiohttp.ClientError, ConnectionError) as exc:
        lost = f"connection lost: {type(exc).__name__}: {exc}"[:300]
        return res.fail(ErrorKind.CONNECTION_LOST, lost)
    except _StreamError as exc:
        return res.fail(exc.kind, str(exc))
    if res.t_done is None:
        res.t_done = time.perf_counter()
    if res.t_first is None:
        return res.fail(ErrorKind.NO_TEXT, "stream ended without generated text")
    res.ok = True
    return res


class _StreamError(Exception):
    """An error object or undecodable JSON inside the stream."""

    def __init__(self, kind: ErrorKind, text: str) -> None:
        super().__init__(text)
        self.kind = kind


def _consume(res: RequestResult, events: list[str], now: float) -> bool:
    """Apply parsed events to the result; True at [DONE]."""
    for data in events:
        if data == "[DONE]":
            return True
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise _StreamError(
                ErrorKind.MALFORMED, f"malformed SSE: not JSON: {data[:80]!r}"
            ) from exc
        if not isinstance(event, dict):
            raise _StreamError(ErrorKind.MALFORMED, f"malformed SSE: not an object: {data[:80]!r}")
        if "error" in event:
            detail = str(event["error"])[:200]
            raise _StreamError(ErrorKind.STREAM_ERROR, f"server error in stream: {detail}")
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


async def fetch_json(
    session: aiohttp.ClientSession,
    url: str,
    timeouts: Timeouts,
    body: Mapping[str, object] | None = None,
) -> tuple[int, Any]:
    """GET (or POST `body`) and read a JSON answer within `timeouts.answer` seconds: (status,
    data, None when the answer is not JSON). Raises TimeoutError, aiohttp.ClientError, OSError."""
    async with asyncio.timeout(timeouts.answer):
        if body is None:
            request = session.get(url)
        else:
            request = session.post(url, data=encode(body), headers=_JSON)
        async with request as resp:
            raw = await resp.read()
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        data = None
    return resp.status, data


_JSON = {"Content-Type": "application/json"}


def make_session(api_key: str | None, timeouts: Timeouts) -> aiohttp.ClientSession:
    """One session for the run: no connection cap (limit=0), bearer auth when given."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return aiohttp.ClientSession(
        # idle connections are dropped before the 5 s keep-alive of uvicorn (vLLM, SGLang) and
        # cpp-httplib (llama.cpp), so a pooled connection is rarely closed under a request
        connector=StampingConnector(limit=0, force_close=False, keepalive_timeout=3.0),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeouts.connect),
        headers=headers,
        trace_configs=[send_clock()],
    )
