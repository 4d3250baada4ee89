"""A server that accepts every connection, reads what it is sent and never answers: the hang
of a process that listens but is stuck (or a port forwarded to nothing)."""

from __future__ import annotations

import socket
import threading


class SilentServer:
    """`with SilentServer() as srv: srv.base_url`; `accepted` counts the connections taken."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="silent-server", daemon=True)
        self.accepted = 0

    @property
    def base_url(self) -> str:
        """OpenAI base URL (with /v1) that nobody will answer."""
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(5)
        for c in self._conns:
            c.close()

    def _serve(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by __exit__
                return
            self._conns.append(conn)  # kept open, never read from or written to
            self.accepted += 1
