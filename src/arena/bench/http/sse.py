"""Incremental Server-Sent Events parser: bytes in, `data:` payloads out, no copies per line."""

from __future__ import annotations

from arena.errors import ArenaError


class SSEError(ArenaError):
    """The byte stream is not valid SSE (e.g. undecodable bytes or an overlong line)."""


class SSEParser:
    """Feed raw chunks; get complete event data strings (multi-line data joined with '\\n')."""

    MAX_LINE = 16 * 1024 * 1024

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[str]:
        """Parse what arrived; incomplete trailing lines wait for the next chunk."""
        buf = self._buf + chunk if self._buf else chunk
        events: list[str] = []
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            end = nl - 1 if nl > start and buf[nl - 1] == 13 else nl
            line = buf[start:end]
            start = nl + 1
            if not line:
                if self._data:
                    events.append("\n".join(self._data))
                    self._data = []
                continue
            if line[0] == 58:  # ':' comment / keep-alive
                continue
            if line.startswith(b"data:"):
                value = line[6:] if line[5:6] == b" " else line[5:]
                try:
                    self._data.append(value.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise SSEError(f"SSE data is not UTF-8: {value[:40]!r}") from exc
            # event:, id:, retry: and unknown fields carry nothing we measure
        self._buf = buf[start:]
        if len(self._buf) > self.MAX_LINE:
            raise SSEError(f"SSE line longer than {self.MAX_LINE} bytes without a newline")
        return events

    def close(self) -> list[str]:
        """End of stream: a final event without its blank line still counts."""
        events = self.feed(b"\n\n") if self._buf else []
        if self._data:
            events.append("\n".join(self._data))
            self._data = []
        return events
