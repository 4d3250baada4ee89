"""Client capacity of `arena bench`'s engine: chunks/s on ONE core (a benchmark, not a test).

Client and server are separate processes pinned to different cores (os.sched_setaffinity): the
client under measurement on CPU 0, the server on CPU 1. c = 256 closed-loop streams (each worker
sends its next request as soon as its stream ends) for --seconds after a 1 s warm-up; every
stream is a chat completion of --tokens content chunks (one token each, plus the role-only first
chunk, a usage chunk and [DONE]). Counted: content chunks the client parsed; client CPU is
time.process_time() of the client process over the window, so CPU us/chunk = CPU / chunks.

Server (default `fast`): a uvloop Protocol server that answers each request with pre-encoded
chunks (the reference server's exact bytes) written at once, so it never limits the client.
`--server reference` uses tests/servers/reference.py with ttft = itl = 0 instead.

Clients, side by side in the same run against the same server:
  engine      - arena.bench.http.stream_request (aiohttp iter_any + our SSE parser), uvloop
  httpx-lines - httpx.AsyncClient.stream + aiter_lines + json.loads per data line, the usual
                httpx SSE client (openai SDK / guidellm style), uvloop
  httpx-bytes - httpx aiter_raw fed to our SSE parser and event handling (isolates httpx's
                HTTP layer), uvloop
Target (issue 4): >= 50,000 chunks/s for the engine; the issue claims 5-10x httpx per chunk.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvloop

from arena.bench.http import RequestResult, SSEParser, Timeouts, make_session, payload
from arena.bench.http import stream_request as engine_stream
from arena.bench.http.client import _consume
from child import child_server

REPO = Path(__file__).resolve().parents[1]
MODEL = "ref-model"

FAST_SERVER_CODE = r"""
import asyncio, json, os, resource, sys
import uvloop
tokens = int(sys.argv[1])
if sys.argv[2]:
    os.sched_setaffinity(0, {int(sys.argv[2])})
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
def event(obj):
    data = b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n\n"
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"
def chunk(delta, finish=None):
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return event({"id": "ref", "object": "chunk", "model": "ref-model", "choices": [choice]})
parts = [b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n", chunk({"role": "assistant", "content": ""})]
parts += [chunk({"content": f" w{i}"}, "length" if i == tokens - 1 else None)
          for i in range(tokens)]
usage = {"prompt_tokens": 4, "completion_tokens": tokens, "total_tokens": tokens + 4}
parts += [event({"id": "ref", "choices": [], "usage": usage}), event(b"[DONE]") + b"0\r\n\r\n"]
RESPONSE = b"".join(parts)
class Proto(asyncio.Protocol):
    def connection_made(self, transport):
        self.t, self.buf = transport, b""
    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].lower()
            i = head.find(b"content-length:")
            n = int(head[i + 15:].split(b"\r\n", 1)[0]) if i >= 0 else 0
            if len(self.buf) < end + 4 + n:
                return
            self.buf = self.buf[end + 4 + n:]
            self.t.write(RESPONSE)
async def main():
    srv = await asyncio.get_running_loop().create_server(Proto, "127.0.0.1", 0, backlog=4096)
    print(f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}/v1", flush=True)
    class Stdin(asyncio.Protocol):
        def connection_lost(self, exc):
            os._exit(0)  # the parent closed our stdin (or died)
    await asyncio.get_running_loop().connect_read_pipe(Stdin, sys.stdin)
    await asyncio.Event().wait()
uvloop.run(main())
"""

REFERENCE_SERVER_CODE = """
import os, resource, sys
sys.path.insert(0, sys.argv[1])
from tests.servers.reference import RefConfig, ReferenceServer
if sys.argv[2]:
    os.sched_setaffinity(0, {int(sys.argv[2])})
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
srv = ReferenceServer(RefConfig(ttft=0.0, itl=0.0))
srv.start()
print(srv.base_url, flush=True)
sys.stdin.read()
"""


@contextmanager
def server(kind: str, tokens: int, cpu: str) -> Iterator[str]:
    """The chosen server in a child process pinned to `cpu`; yields its /v1 base URL."""
    if kind == "fast":
        args = (FAST_SERVER_CODE, str(tokens), cpu)
    else:
        args = (REFERENCE_SERVER_CODE, str(REPO), cpu)
    with child_server(*args) as url:
        yield url


@dataclass
class Tally:
    """What one client did in the measured window."""

    chunks: int = 0
    requests: int = 0
    errors: int = 0
    first_error: str = ""


async def closed_loop(
    one: Callable[[], Awaitable[RequestResult]], c: int, warmup: float, seconds: float
) -> tuple[Tally, float, float]:
    """c workers back to back; (tally, wall s, client CPU s) over the window after warm-up."""
    tally = Tally()
    measuring = False
    stop = False

    async def worker() -> None:
        while not stop:
            r = await one()
            if not measuring:
                continue
            if r.ok:
                tally.requests += 1
                tally.chunks += len(r.content_times)
            else:
                tally.errors += 1
                tally.first_error = tally.first_error or (r.error or "?")

    tasks = [asyncio.create_task(worker()) for _ in range(c)]
    await asyncio.sleep(warmup)
    measuring = True
    w0, c0 = time.perf_counter(), time.process_time()
    await asyncio.sleep(seconds)
    measuring = False
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    stop = True
    await asyncio.gather(*tasks)
    return tally, wall, cpu


async def run_engine(url: str, c: int, tokens: int, warmup: float, seconds: float) -> Any:
    """Our engine: one aiohttp session (limit=0), stream_request per request."""
    timeouts = Timeouts()
    body = payload(MODEL, "chat", "hello there", tokens, force_length=True)
    async with make_session(None, timeouts) as session:
        return await closed_loop(
            lambda: engine_stream(session, url + "/chat/completions", body, timeouts),
            c, warmup, seconds,
        )  # fmt: skip


async def run_httpx(
    url: str, c: int, tokens: int, warmup: float, seconds: float, lines: bool
) -> Any:
    """httpx.AsyncClient streaming; lines: aiter_lines + json.loads, else aiter_raw + our parser."""
    body = payload(MODEL, "chat", "hello there", tokens, force_length=True)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0)) as client:

        async def one() -> RequestResult:
            res = RequestResult()
            res.t_send = time.perf_counter()
            try:
                async with client.stream("POST", url + "/chat/completions", json=body) as resp:
                    if lines:
                        async for line in resp.aiter_lines():
                            now = time.perf_counter()
                            if not line.startswith("data: "):
                                continue
                            data = line[6:]
                            if data == "[DONE]":
                                continue  # read to the end so the connection is reused
                            event = json.loads(data)
                            choices = event.get("choices") or []
                            if choices and choices[0].get("delta", {}).get("content"):
                                if res.t_first is None:
                                    res.t_first = now
                                res.t_last = now
                                res.content_times.append(now)
                    else:
                        parser = SSEParser()
                        async for raw in resp.aiter_raw():  # to the end: connection reused
                            _consume(res, parser.feed(raw), time.perf_counter())
            except (httpx.HTTPError, ValueError) as exc:
                res.error = f"{type(exc).__name__}: {exc}"
                return res
            res.ok = res.t_first is not None
            return res

        return await closed_loop(one, c, warmup, seconds)


def main() -> None:
    """Pin, serve, drive each client, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concurrency", type=int, default=256)
    ap.add_argument("--tokens", type=int, default=256, help="content chunks per stream")
    ap.add_argument("--seconds", type=float, default=10.0, help="measured window per client")
    ap.add_argument("--server", choices=["fast", "reference"], default="fast")
    args = ap.parse_args()
    print(__doc__)
    cpus = sorted(os.sched_getaffinity(0))
    client_cpu, server_cpu = (cpus[0], str(cpus[1])) if len(cpus) > 1 else (cpus[0], "")
    os.sched_setaffinity(0, {client_cpu})
    where = server_cpu or "shared (only one CPU)"
    print(f"client pinned to CPU {client_cpu}, server ({args.server}) to CPU {where}; "
          f"c={args.concurrency}, {args.tokens} chunks per stream, {args.seconds:g} s window; "
          f"load average {os.getloadavg()[0]:.2f}\n")  # fmt: skip
    rows: list[tuple[str, Tally, float, float]] = []
    with server(args.server, args.tokens, server_cpu) as url:
        clients: list[tuple[str, Callable[[], Any]]] = [
            ("engine", lambda: run_engine(url, args.concurrency, args.tokens, 1.0, args.seconds)),
            ("httpx-lines", lambda: run_httpx(url, args.concurrency, args.tokens, 1.0,
                                              args.seconds, True)),
            ("httpx-bytes", lambda: run_httpx(url, args.concurrency, args.tokens, 1.0,
                                              args.seconds, False)),
        ]  # fmt: skip
        for name, make in clients:
            tally, wall, cpu = uvloop.run(make())
            rows.append((name, tally, wall, cpu))
    print(f"{'client':<12} {'chunks/s':>10} {'CPU us/chunk':>12} {'CPU busy':>8} "
          f"{'streams/s':>9} {'chunks':>9} {'errors':>6}")  # fmt: skip
    rates: dict[str, float] = {}
    for name, t, wall, cpu in rows:
        rate = t.chunks / wall
        rates[name] = rate
        per = cpu / t.chunks * 1e6 if t.chunks else float("nan")
        print(f"{name:<12} {rate:>10,.0f} {per:>12.2f} {cpu / wall:>8.0%} "
              f"{t.requests / wall:>9,.1f} {t.chunks:>9,} {t.errors:>6}"
              + (f"  first error: {t.first_error}" if t.errors else ""))  # fmt: skip
    eng = rates["engine"]
    print(f"\nengine vs target 50,000 chunks/s: {'met' if eng >= 50_000 else 'NOT met'} "
          f"({eng:,.0f})")  # fmt: skip
    for name in ("httpx-lines", "httpx-bytes"):
        if rates.get(name):
            print(f"engine / {name}: {eng / rates[name]:.1f}x chunks/s")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
