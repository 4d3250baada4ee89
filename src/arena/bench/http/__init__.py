"""One timed streaming request: body, SSE parsing, send/arrival stamps, result, error kind."""

from arena.bench.http.client import TEXT_CAP, fetch_json, make_session, stream_request
from arena.bench.http.request import (
    Endpoint,
    RequestResult,
    Timeouts,
    encode,
    error_counts,
    payload,
    token_source,
)
from arena.bench.http.sse import SSEError, SSEParser

__all__ = [
    "TEXT_CAP",
    "Endpoint",
    "RequestResult",
    "SSEError",
    "SSEParser",
    "Timeouts",
    "encode",
    "error_counts",
    "fetch_json",
    "make_session",
    "payload",
    "stream_request",
    "token_source",
]
