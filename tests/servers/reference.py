"""Deterministic OpenAI-compatible reference server (stdlib asyncio): scheduled tokens, faults.

Every stream starts with a role-only chunk sent at once (as vLLM does), then the first content
token exactly `ttft` after the request, then one token every `itl`, scheduled against absolute
loop times. Its "tokenizer" is whitespace: one word = one token. Faults are switched at run time.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The upper bound of every timing check against this server: only a hang takes this long, however
# loaded the machine. Lower bounds come from the schedule (nothing arrives before it is sent).
HANG = 120.0

# "", "http500", "reset", "stall", "malformed", "no_usage", "error_event", "keepalive",
# "drop" (close the connection without an answer, before the status line)
# (keepalive: after `fault_after` tokens only SSE ": ping" comments, every `ping_every` s)
Fault = str


@dataclass
class RefConfig:
    """Behaviour of the server; change fields while it runs."""

    ttft: float = 0.02
    itl: float = 0.005
    slots: int = 0  # 0 = unlimited concurrent generations
    # > 0: a generation holds its slot exactly this long (s): first content token `ttft` after
    # the slot frees, the last one at `service`, the rest evenly between (itl is not used)
    service: float = 0.0
    natural_len: int = 12  # tokens generated when ignore_eos is not set
    fault: Fault = ""
    fault_after: int = 3  # tokens sent before a mid-stream fault
    fault_every: int = 0  # 0: every request faults; k: only requests number k, 2k, ... (1-based)
    honour_ignore_eos: bool = True
    model: str = "ref-model"
    tokenize: bool = True
    ping_every: float = 0.05  # seconds between ": ping" comments of the keepalive fault
    tokens_per_chunk: int = 1  # >1: several tokens per SSE chunk (MTP / speculative decoding)
    reply: str = ""  # when set, the generated words (cycled) instead of " w0 w1 ..."
    reject_forced: int = 0  # HTTP status (e.g. 400, 422) for requests with ignore_eos/min_tokens
    drop_reused: bool = False  # close a kept-alive connection on its next request, unanswered
    # asked as each generation request arrives: True holds it unanswered until the server stops
    # (a test's "from now on the server hangs", decided by what the test waits for, not a clock)
    hold: Callable[[], bool] | None = None

    def due(self, chunk: int) -> float:
        """Seconds after a request arrives before which content chunk `chunk` is never sent."""
        return self.ttft + chunk * self.itl


@dataclass
class RefStats:
    """What the server saw."""

    requests: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    max_active: int = 0
    active: int = 0
    held: int = 0  # requests held unanswered by `RefConfig.hold`


def count_tokens(body: dict[str, Any]) -> int:
    """Prompt length in the server's whitespace tokens."""
    if "messages" in body:
        return sum(len(str(m.get("content", "")).split()) for m in body["messages"])
    return len(str(body.get("prompt", "")).split())


class ReferenceServer:
    """Run in a background thread: `with ReferenceServer() as srv: srv.base_url`."""

    def __init__(self, config: RefConfig | None = None, port: int = 0) -> None:
        self.config = config or RefConfig()
        self.stats = RefStats()
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._sem: asyncio.Semaphore | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """Bound TCP port."""
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def base_url(self) -> str:
        """OpenAI base URL (with /v1)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ReferenceServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start serving on 127.0.0.1 in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="reference-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("reference server did not start")

    def stop(self) -> None:
        """Close the listener and every open connection (a server dying)."""
        if self._loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        fut.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)
        self._loop = None

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for w in list(self._writers):
            w.transport.abort()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self._port, backlog=4096)
        )
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        try:
            served = 0
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                n = int(headers.get("content-length", "0"))
                raw = await reader.readexactly(n) if n else b""
                t_recv = asyncio.get_running_loop().time()
                served += 1
                if served > 1 and self.config.drop_reused:
                    return  # the race of a keep-alive timeout: the request meets a closing socket
                keep = await self._route(method, path, raw, writer, t_recv)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        except asyncio.CancelledError:  # shutdown: end quietly (the server is "dying")
            return
        finally:
            self._writers.discard(writer)
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _send_json(self, writer: asyncio.StreamWriter, status: int, obj: Any) -> None:
        body = json.dumps(obj).encode()
        reason = {
            200: "OK",
            400: "Bad Request",
            404: "Not Found",
            422: "Unprocessable Entity",
            500: "Internal Server Error",
        }.get(status, "X")
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    async def _route(
        self, method: str, path: str, raw: bytes, writer: asyncio.StreamWriter, t_recv: float
    ) -> bool:
        cfg = self.config
        if method == "GET" and path.rstrip("/") == "/v1/models":
            data = [
                {
                    "id": cfg.model,
                    "object": "model",
                    "owned_by": "arena-tests",
                    "max_model_len": 32768,
                }
            ]
            await self._send_json(writer, 200, {"object": "list", "data": data})
            return True
        body = json.loads(raw or b"{}")
        if path == "/tokenize" and cfg.tokenize:
            text = body.get("prompt") or body.get("content") or ""
            tokens = [hash(w) % 50000 for w in str(text).split()]
            await self._send_json(writer, 200, {"tokens": tokens, "count": len(tokens)})
            return True
        if path in ("/v1/chat/completions", "/v1/completions") and method == "POST":
            self.stats.requests += 1
            self.stats.bodies.append(body)
            if cfg.hold is not None and cfg.hold():
                self.stats.held += 1
                await asyncio.Event().wait()  # until stop() cancels this connection's task
            every = cfg.fault_every
            fault = cfg.fault if every <= 0 or self.stats.requests % every == 0 else ""
            if cfg.reject_forced and (body.get("ignore_eos") or body.get("min_tokens")):
                await self._send_json(
                    writer, cfg.reject_forced, {"error": {"message": "unknown field ignore_eos"}}
                )
                return True
            if fault == "http500":
                await self._send_json(writer, 500, {"error": {"message": "injected 500"}})
                return True
            if fault == "drop":
                return False
            await self._stream(body, path.endswith("chat/completions"), writer, t_recv, fault)
            return fault not in ("reset", "stall", "keepalive")
        await self._send_json(writer, 404, {"error": {"message": f"no route {path}"}})
        return True

    async def _stream(
        self,
        body: dict[str, Any],
        chat: bool,
        writer: asyncio.StreamWriter,
        t_recv: float,
        fault: Fault = "",
    ) -> None:
        cfg = self.config
        loop = asyncio.get_running_loop()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )

        def event(obj: Any) -> bytes:
            data = b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode())
            data += b"\n\n"
            return f"{len(data):x}\r\n".encode() + data + b"\r\n"

        def chunk(text: str | None, role: bool = False, finish: str | None = None) -> bytes:
            if chat:
                delta: dict[str, Any] = {"role": "assistant", "content": ""} if role else {}
                if text is not None:
                    delta["content"] = text
                choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
            else:
                choice = {"index": 0, "text": text or "", "finish_reason": finish}
            return event({"id": "ref", "object": "chunk", "model": cfg.model, "choices": [choice]})

        writer.write(chunk(None, role=True))  # role-only first chunk, at once
        await writer.drain()
        max_tokens = int(body.get("max_tokens") or 16)
        forced = cfg.honour_ignore_eos and (body.get("ignore_eos") or body.get("min_tokens"))
        reply = cfg.reply.split()
        natural = len(reply) if reply else cfg.natural_len
        n = max_tokens if forced else min(max_tokens, natural)
        if cfg.slots:
            if self._sem is None:
                self._sem = asyncio.Semaphore(cfg.slots)
            await self._sem.acquire()
        self.stats.active += 1
        self.stats.max_active = max(self.stats.max_active, self.stats.active)
        try:
            t0 = loop.time() if cfg.slots else t_recv
            k = max(1, cfg.tokens_per_chunk)
            chunks = -(-n // k)
            itl = (cfg.service - cfg.ttft) / max(1, chunks - 1) if cfg.service else cfg.itl
            for j, i in enumerate(range(0, n, k)):
                target = t0 + cfg.ttft + j * itl
                delay = target - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if i == cfg.fault_after and fault in (
                    "reset",
                    "stall",
                    "malformed",
                    "error_event",
                    "keepalive",
                ):
                    if fault == "reset":
                        writer.transport.abort()
                        return
                    if fault == "stall":
                        await asyncio.sleep(3600)
                    if fault == "keepalive":
                        while True:  # until the client gives up and closes the connection
                            writer.write(b"8\r\n: ping\n\n\r\n")
                            await writer.drain()
                            await asyncio.sleep(cfg.ping_every)
                    if fault == "malformed":
                        writer.write(event(b"{not json"))
                    if fault == "error_event":
                        writer.write(event({"error": {"message": "injected error"}}))
                last = min(n, i + k)
                text = "".join(
                    f" {reply[x % len(reply)]}" if reply else f" w{x}" for x in range(i, last)
                )
                writer.write(chunk(text, finish="length" if last == n else None))
                await writer.drain()
            if cfg.service and (rest := t0 + cfg.service - loop.time()) > 0:
                await asyncio.sleep(rest)  # one-chunk answers still hold the slot `service` s
            if fault != "no_usage":
                prompt = count_tokens(body)
                usage = {
                    "prompt_tokens": prompt,
                    "completion_tokens": n,
                    "total_tokens": prompt + n,
                }
                writer.write(event({"id": "ref", "choices": [], "usage": usage}))
            writer.write(event(b"[DONE]") + b"0\r\n\r\n")
            await writer.drain()
        finally:
            self.stats.active -= 1
            if cfg.slots and self._sem is not None:
                self._sem.release()


def wait_port_closed(port: int, timeout: float = 5) -> None:
    """Block until nothing listens on the port."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.05)
