"""Accuracy of `arena bench`'s engine against the reference server (a benchmark, not a test).

The reference server (tests/servers/reference.py) runs in its own process and sends the first
content token exactly TTFT after each request, then one token every ITL, scheduled against
absolute times. At c = 1, 8 and 64 (closed loop: c requests start together, --levels says how
many batches per c, after one discarded warm-up batch so both clients hold warm connections):

  decode error - the mean of our engine's per-request decode tok/s, (n - 1) / (t_last - t_first),
                 against the server's scheduled rate 1 / ITL, in % (worst single request too).
                 The floor client's error is printed beside it: that part is the server's.
  TTFT floor   - a bare client in the same process and run (asyncio Protocol on uvloop, one
                 persistent connection per stream, minimal HTTP/1.1 + chunked + SSE parsing,
                 timestamp taken on entry to data_received for the first chunk that carries
                 content). Floor and engine batches alternate, so drift hits both alike.
  over floor   - engine TTFT minus floor TTFT, p50 and mean, in ms.

Targets (issue 4): decode error <= 0.1 %; TTFT <= 0.5 ms over the floor at c=1, <= 1 ms at c=8/64.
Then llama-benchy and guidellm (pinned PyPI versions, run in isolated `uv tool run`
environments, offline tokenizer built with `tokenizers`) measure the same server and their TTFT
is compared with the floor measured in this run; a tool that fails to install or run is reported
and skipped (--no-tools skips both).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import uvloop

from arena.bench.closed import run_closed
from arena.bench.http import RequestResult, Timeouts, make_session, payload
from arena.bench.prompts import WORDS, PromptMaker, words
from arena.bench.target import Target
from arena.catalog.types import Bench
from child import child_server

REPO = Path(__file__).resolve().parents[1]
MODEL = "ref-model"
LLAMA_BENCHY = "llama-benchy==0.4.0"
GUIDELLM = "guidellm==0.8.1"
TOKENIZERS = "tokenizers==0.22.1"

SERVER_CODE = """
import resource, sys, os
sys.path.insert(0, sys.argv[1])
from tests.servers.reference import RefConfig, ReferenceServer
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
if sys.argv[4]:
    os.sched_setaffinity(0, {int(c) for c in sys.argv[4].split(",")})
srv = ReferenceServer(RefConfig(ttft=float(sys.argv[2]), itl=float(sys.argv[3])))
srv.start()
print(srv.base_url, flush=True)
sys.stdin.read()
srv.stop()
"""


@contextmanager
def reference_server(ttft: float, itl: float, cpus: str = "") -> Iterator[str]:
    """The reference server in a child process (own GIL and loop); yields its /v1 base URL."""
    with child_server(SERVER_CODE, str(REPO), str(ttft), str(itl), cpus) as url:
        yield url


# -- the floor: a bare client --------------------------------------------------------------------


class FloorConn(asyncio.Protocol):
    """One persistent HTTP/1.1 connection; parses chunked SSE just enough to time content."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.in_body = False
        self.done: asyncio.Future[None] | None = None
        self.times: list[float] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport."""
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        """Timestamp first, then de-chunk and look for content events."""
        now = time.perf_counter()
        buf = self.buf + data
        if not self.in_body:
            head_end = buf.find(b"\r\n\r\n")
            if head_end < 0:
                self.buf = buf
                return
            buf = buf[head_end + 4 :]
            self.in_body = True
        while True:
            nl = buf.find(b"\r\n")
            if nl < 0:
                break
            size = int(buf[:nl], 16)
            if size == 0:
                buf = b""
                self.in_body = False
                if self.done is not None and not self.done.done():
                    self.done.set_result(None)
                break
            if len(buf) < nl + 2 + size + 2:
                break
            for line in buf[nl + 2 : nl + 2 + size].split(b"\n"):
                if line.startswith(b"data: {"):
                    event = json.loads(line[6:])
                    choices = event.get("choices")
                    if choices and choices[0].get("delta", {}).get("content"):
                        self.times.append(now)
            buf = buf[nl + 2 + size + 2 :]
        self.buf = buf

    def connection_lost(self, exc: Exception | None) -> None:
        """Fail a pending request."""
        if self.done is not None and not self.done.done():
            self.done.set_exception(exc or ConnectionError("closed"))

    async def request(self, head: bytes, body: bytes) -> RequestResult:
        """Send one request; the result carries t_send and the content chunk times."""
        assert self.transport is not None
        self.done = asyncio.get_running_loop().create_future()
        self.times = []
        res = RequestResult()
        res.t_send = time.perf_counter()
        self.transport.write(head + body)
        await self.done
        res.content_times = self.times
        if self.times:
            res.ok = True
            res.t_first, res.t_last = self.times[0], self.times[-1]
            res.output_tokens = len(self.times)
        return res


class FloorClient:
    """c persistent connections, one request each per batch."""

    def __init__(self, base_url: str) -> None:
        host_port = base_url.split("//", 1)[1].split("/", 1)[0]
        self.host, port = host_port.rsplit(":", 1)
        self.port = int(port)
        self.conns: list[FloorConn] = []

    async def batch(self, bodies: list[dict[str, Any]]) -> list[RequestResult]:
        """Send len(bodies) requests at once (opening connections as needed)."""
        loop = asyncio.get_running_loop()
        while len(self.conns) < len(bodies):
            _, proto = await loop.create_connection(FloorConn, self.host, self.port)
            self.conns.append(proto)
        jobs = []
        for conn, body in zip(self.conns, bodies, strict=False):
            raw = json.dumps(body).encode()
            head = (
                f"POST /v1/chat/completions HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
            ).encode()
            jobs.append(conn.request(head, raw))
        return list(await asyncio.gather(*jobs))

    def close(self) -> None:
        """Close every connection."""
        for c in self.conns:
            if c.transport is not None:
                c.transport.close()


# -- measuring -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Percentile q (0-100) by linear interpolation."""
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


async def measure(url: str, levels: dict[int, int], out: int, pp: int) -> dict[int, Any]:
    """Alternate floor and engine batches at each c; both TTFT and decode rate per request."""
    timeouts = Timeouts()
    floor = FloorClient(url)
    results: dict[int, Any] = {}
    async with make_session(None, timeouts) as session:
        target = Target(
            session, url + "/chat/completions", MODEL, "chat", timeouts, PromptMaker(1.0)
        )
        rng = random.Random(7)
        for c, runs in levels.items():
            bench = Bench(
                id=f"acc-c{c}", title="accuracy", mode="closed", prompt_tokens=(pp,),
                output_tokens=out, concurrency=(c,), runs=1,
            )  # fmt: skip
            eng: list[RequestResult] = []
            flo: list[RequestResult] = []
            for k in range(runs + 1):  # k == 0: warm-up, discarded
                bodies = [
                    payload(MODEL, "chat", words(rng, pp), out, force_length=True) for _ in range(c)
                ]
                got_floor = await floor.batch(bodies)
                got_eng: list[RequestResult] = []
                _, done = await run_closed(target, bench, rng.randrange(10**6), got_eng.append)
                errors = [r.error for r in done if not r.ok]
                if errors:
                    raise RuntimeError(f"engine errors at c={c}: {errors[:3]}")
                if k:
                    flo += got_floor
                    eng += got_eng
            results[c] = (flo, eng)
    floor.close()
    return results


def decode_errors(rs: list[RequestResult], rate: float) -> list[float]:
    """Signed % error of each request's decode tok/s against the scheduled rate."""
    return [(r.decode_tps - rate) / rate * 100 for r in rs if r.decode_tps is not None]


def ttfts_ms(rs: list[RequestResult]) -> list[float]:
    """TTFT of each request in ms."""
    return [r.ttft * 1000 for r in rs if r.ttft is not None]


# -- the other tools -----------------------------------------------------------------------------

TOKENIZER_CODE = """
import json, sys
from pathlib import Path
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
vocab = {"[UNK]": 0}
for w in sys.argv[2].split():
    vocab.setdefault(w, len(vocab))
tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
tok.decoder = decoders.WordPiece(prefix="##")
out = Path(sys.argv[1])
tok.save(str(out / "tokenizer.json"))
cfg = {"tokenizer_class": "PreTrainedTokenizerFast", "unk_token": "[UNK]",
       "model_max_length": 1000000}
(out / "tokenizer_config.json").write_text(json.dumps(cfg))
"""


def tool_env(home: Path, uv: str) -> dict[str, str]:
    """Offline, isolated HOME (llama-benchy's book cache), the normal uv cache."""
    cache = subprocess.run([uv, "cache", "dir"], capture_output=True, text=True).stdout.strip()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(HOME=str(home), UV_CACHE_DIR=cache, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def run_tool(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[bool, str]:
    """Run a tool; (ok, combined output or the reason it failed)."""
    try:
        p = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=env["HOME"]
        )
    except subprocess.TimeoutExpired:
        return False, f"timed out after {timeout:.0f} s"
    out = p.stdout + p.stderr
    if p.returncode != 0:
        tail = " | ".join(line for line in out.strip().splitlines()[-4:])
        return False, f"exit {p.returncode}: {tail[-600:]}"
    return True, out


def llama_benchy(
    uv: str, env: dict[str, str], tok: Path, url: str, levels: list[int], runs: int, out: int,
    pp: int,
) -> dict[int, tuple[float, float]] | str:  # fmt: skip
    """llama-benchy's e2e_ttft (ms) per c as (p50 over its values, mean); or why it failed."""
    home = Path(env["HOME"])
    book_url = "http://127.0.0.1:9/offline-book.txt"  # never fetched: pre-seeded in its cache
    cache = home / ".cache" / "llama-benchy"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / f"{hashlib.md5(book_url.encode()).hexdigest()}.txt").write_text(
        words(random.Random(3), 20000)
    )
    result = home / "llama-benchy.json"
    cmd = [uv, "tool", "run", "--from", LLAMA_BENCHY, "llama-benchy", "--base-url", url,
           "--model", MODEL, "--tokenizer", str(tok), "--book-url", book_url, "--pp", str(pp),
           "--tg", str(out), "--exact-tg", "--runs", str(runs), "--concurrency",
           *map(str, levels), "--latency-mode", "none", "--skip-coherence", "--no-warmup",
           "--no-adapt-prompt", "--format", "json", "--save-result", str(result)]  # fmt: skip
    ok, text = run_tool(cmd, env, 600)
    if not ok:
        return text
    try:
        data = json.loads(result.read_text())
        got: dict[int, tuple[float, float]] = {}
        for b in data["benchmarks"]:
            e2e = b["e2e_ttft"]
            got[int(b["concurrency"])] = (statistics.median(e2e["values"]), e2e["mean"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"unreadable result: {exc!r}"
    return got


def guidellm(
    uv: str, env: dict[str, str], tok: Path, url: str, levels: list[int], out: int, pp: int,
    seconds: float,
) -> dict[int, tuple[float, float]] | str:  # fmt: skip
    """guidellm's TTFT (ms) per stream count as (p50, mean); or why it failed."""
    home = Path(env["HOME"])
    result = home / "guidellm.json"
    root = url.removesuffix("/v1")
    scenario = {
        "spec": {
            "backend": {
                "kind": "openai_http", "target": root, "model": MODEL,
                "request_format": "/v1/chat/completions", "validate_backend": False,
                "extras": {"body": {"max_tokens": out, "ignore_eos": True}},
            },
            "profile": {"kind": "concurrent", "streams": levels[0]},
            "tokenizer": {"kind": "huggingface_auto", "model": str(tok)},
            "data": [{"kind": "synthetic_text", "prompt_tokens": pp, "output_tokens": out}],
            "constraints": [{"kind": "max_duration", "seconds": seconds}],
            "outputs": [{"kind": "json", "path": str(result)}],
        },
        "benchmarks": [{"profile.streams": c} for c in levels],
    }  # fmt: skip
    path = home / "guidellm-scenario.json"
    path.write_text(json.dumps(scenario))
    cmd = [uv, "tool", "run", "--from", GUIDELLM, "guidellm", "run", "-c", str(path),
           "--disable-console-interactive"]  # fmt: skip
    ok, text = run_tool(cmd, env, 900)
    if not ok:
        return text
    try:
        data = json.loads(result.read_text())
        got: dict[int, tuple[float, float]] = {}
        for b in data["benchmarks"]:
            streams = int(b["config"]["strategy"]["streams"])
            s = b["metrics"]["time_to_first_token_ms"]["successful"]
            got[streams] = (float(s["median"]), float(s["mean"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"unreadable result: {exc!r}"
    return got


def engine_table(res: dict[int, Any], rate: float) -> None:
    """Print decode error and TTFT over the floor per c."""
    limits = {1: 0.5, 8: 1.0, 64: 1.0}
    print("Engine (arena.bench.closed.run_closed) vs the bare floor client, same server and run")
    print("  decode: error of the mean per-request decode tok/s vs 1/ITL (worst single request;")
    print("          the floor client's error, i.e. the server's own timing, beside it)")
    print("  TTFT:   p50 / mean in ms; the target is judged on p50 (the box is shared and noisy)")
    print(f"{'c':>3} {'reqs':>4} | {'decode err %':>12} {'(worst)':>8} {'floor':>8} | "
          f"{'TTFT floor':>17} | {'TTFT engine':>17} | {'over floor':>17} | target")  # fmt: skip
    for c, (flo, eng) in res.items():
        de = decode_errors(eng, rate)
        mean_tps = statistics.fmean([r.decode_tps for r in eng if r.decode_tps is not None])
        err = (mean_tps - rate) / rate * 100
        f_tps = statistics.fmean([r.decode_tps for r in flo if r.decode_tps is not None])
        f_err = (f_tps - rate) / rate * 100
        worst = max(de, key=abs)
        te, tf = ttfts_ms(eng), ttfts_ms(flo)
        over_p50 = statistics.median(te) - statistics.median(tf)
        over_mean = statistics.fmean(te) - statistics.fmean(tf)
        lim = limits.get(c, 1.0)
        verdict = "met" if abs(err) <= 0.1 and over_p50 <= lim else "NOT met"
        print(
            f"{c:>3} {len(eng):>4} | {err:+12.4f} {worst:+8.4f} {f_err:+8.4f} | "
            f"{statistics.median(tf):7.3f} /{statistics.fmean(tf):7.3f} | "
            f"{statistics.median(te):7.3f} /{statistics.fmean(te):7.3f} | "
            f"{over_p50:+7.3f} /{over_mean:+7.3f} | <= 0.1 %, <= {lim} ms: {verdict}"
        )


def build_tokenizer(uv: str, env: dict[str, str], out: Path) -> str | None:
    """Write a tiny WordLevel tokenizer (our prompt words) to out; None, or why it failed."""
    out.mkdir()
    cmd = [uv, "run", "--no-project", "--with", TOKENIZERS, "python", "-c", TOKENIZER_CODE,
           str(out), " ".join(WORDS)]  # fmt: skip
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "timed out"
    return None if p.returncode == 0 else p.stderr.strip()[-400:]


def tools(url: str, args: argparse.Namespace, levels: list[int], floor: dict[int, Any]) -> None:
    """Run llama-benchy and guidellm on the same server; print their TTFT over our floor."""
    uv = shutil.which("uv")
    if uv is None:
        print("other tools: skipped, `uv` is not on PATH")
        return
    with tempfile.TemporaryDirectory(prefix="arena-acc-tools-") as tmp:
        home = Path(tmp)
        env = tool_env(home, uv)
        tok = home / "tokenizer"
        why = build_tokenizer(uv, env, tok)
        if why:
            print(f"other tools: skipped, could not build the tokenizer: {why}")
            return
        print(
            f"Other tools on the same server (isolated `uv tool run` envs, offline; tiny "
            f"WordLevel tokenizer of {len(WORDS)} words built with {TOKENIZERS})."
        )
        print("TTFT p50 / mean in ms, and over this run's floor at the same c:")  # fmt: skip
        runs: list[tuple[str, Any]] = [
            (f"{LLAMA_BENCHY}: e2e_ttft, --exact-tg, {args.tool_runs} runs, --no-warmup "
             "(its warm-up wants a non-streamed reply); p50 is over its per-run/request values",
             lambda: llama_benchy(uv, env, tok, url, levels, args.tool_runs,
                                  args.output_tokens, args.prompt_tokens)),
            (f"{GUIDELLM}: TTFT, concurrent profile (streams = c), 6 s per level",
             lambda: guidellm(uv, env, tok, url, levels, args.output_tokens,
                              args.prompt_tokens, 6.0)),
        ]  # fmt: skip
        for name, fn in runs:
            t1 = time.perf_counter()
            got = fn()
            took = time.perf_counter() - t1
            if isinstance(got, str):
                print(f"  {name}\n    FAILED after {took:.0f} s: {got}")
                continue
            print(f"  {name}  [{took:.0f} s incl. start-up]")
            for c in levels:
                if c not in got:
                    print(f"    c={c:>3}: no result")
                    continue
                p50, mean = got[c]
                fp50, fmean = statistics.median(floor[c]), statistics.fmean(floor[c])
                print(f"    c={c:>3}: TTFT {p50:7.3f} /{mean:7.3f}   over floor "
                      f"{p50 - fp50:+7.3f} /{mean - fmean:+7.3f}")  # fmt: skip


def main() -> None:
    """Measure, then print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ttft", type=float, default=0.020, help="server TTFT, s")
    ap.add_argument("--itl", type=float, default=0.010, help="server inter-token gap, s")
    ap.add_argument("--output-tokens", type=int, default=150)
    ap.add_argument("--prompt-tokens", type=int, default=32)
    ap.add_argument("--levels", default="1:20,8:8,64:4", help="c:measured batches,...")
    ap.add_argument("--tool-runs", type=int, default=3, help="llama-benchy --runs")
    ap.add_argument("--no-tools", action="store_true", help="skip llama-benchy and guidellm")
    args = ap.parse_args()
    plan = {int(c): int(n) for c, n in (x.split(":") for x in args.levels.split(","))}
    print(__doc__)
    print(f"server: TTFT {args.ttft * 1000:g} ms, ITL {args.itl * 1000:g} ms (scheduled "
          f"{1 / args.itl:.1f} tok/s), {args.output_tokens} output tokens, {args.prompt_tokens}-"
          f"word prompts; measured batches per c: {plan}; client loop: uvloop; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n")  # fmt: skip
    t0 = time.perf_counter()
    with reference_server(args.ttft, args.itl) as url:
        res = uvloop.run(measure(url, plan, args.output_tokens, args.prompt_tokens))
        engine_table(res, 1 / args.itl)
        print(f"(measured in {time.perf_counter() - t0:.0f} s; load average now "
              f"{os.getloadavg()[0]:.2f})\n")  # fmt: skip
        if not args.no_tools:
            tools(url, args, list(plan), {c: ttfts_ms(f) for c, (f, _) in res.items()})
    print(f"\ntotal wall time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
