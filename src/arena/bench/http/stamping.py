"""Send and arrival times taken at the socket's edge of aiohttp, not where our coroutine runs.

Send: 64 requests started together are each built by aiohttp and then written by a body-writer
task that runs a loop turn later, after all 64 were built; a time taken before `session.post`
includes the building of the requests before it (measured: +3.5 ms TTFT at c=64 over a bare
socket client). aiohttp's `on_request_chunk_sent` trace fires just before the bytes are written
to the transport (http_writer.py: the callback is awaited, then the write): the time is taken
there, like the floor client's time before `transport.write`.

Arrival: one event loop resumes many readers in turn; aiohttp's protocol sees the bytes first,
in `data_received`, called as each socket becomes readable: the time is taken there.
"""

from __future__ import annotations

import functools
import time
from typing import Any, cast

import aiohttp
from aiohttp.client_proto import ResponseHandler

from arena.bench.http.request import RequestResult


class StampingHandler(ResponseHandler):
    """aiohttp's response protocol, plus the perf_counter time of the latest bytes received."""

    rx_time: float | None = None

    def data_received(self, data: bytes) -> None:
        """Stamp first, then let aiohttp parse."""
        self.rx_time = time.perf_counter()
        super().data_received(data)


class StampingConnector(aiohttp.TCPConnector):
    """A TCPConnector whose connections use StampingHandler."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # aiohttp builds each connection's protocol with `self._factory()` (connector.py, 3.x)
        if not isinstance(getattr(self, "_factory", None), functools.partial):
            raise RuntimeError("aiohttp changed: TCPConnector._factory is gone; pin aiohttp 3.x")
        factory = functools.partial(StampingHandler, loop=self._loop)
        self._factory = cast("functools.partial[ResponseHandler]", factory)


def rx_clock(resp: aiohttp.ClientResponse) -> StampingHandler | None:
    """The stamping protocol under a response, or None (plain connector: time at read)."""
    conn = resp.connection
    proto = conn.protocol if conn is not None else None
    return proto if isinstance(proto, StampingHandler) else None


class SendStamp:
    """Passed as `trace_request_ctx`: the result whose t_send (once) and `pooled` it sets."""

    __slots__ = ("result", "stamped")

    def __init__(self, result: RequestResult) -> None:
        self.result = result
        self.stamped = False


async def _on_chunk_sent(
    session: aiohttp.ClientSession, ctx: Any, params: aiohttp.TraceRequestChunkSentParams
) -> None:
    """Set t_send just before the first body bytes (and the buffered headers) are written."""
    request = ctx.trace_request_ctx
    if isinstance(request, SendStamp) and not request.stamped:
        request.result.t_send = time.perf_counter()
        request.stamped = True


async def _on_reuse(
    session: aiohttp.ClientSession, ctx: Any, params: aiohttp.TraceConnectionReuseconnParams
) -> None:
    """Note that the request took a kept-alive connection from the pool."""
    request = ctx.trace_request_ctx
    if isinstance(request, SendStamp):
        request.result.pooled = True


def send_clock() -> aiohttp.TraceConfig:
    """The trace config that fills in the SendStamp a request is posted with."""
    config = aiohttp.TraceConfig()
    config.on_request_chunk_sent.append(_on_chunk_sent)
    config.on_connection_reuseconn.append(_on_reuse)
    return config
