"""Open-loop plans: seeded arrival times and prompt/answer lengths from vllm's datasets."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena.bench.target import Target
from arena.catalog.types import Bench
from arena.errors import ArenaError

# Used when no ShareGPT file is given: lognormal lengths around ShareGPT V3's typical sizes,
# pruned by the same rule as a ShareGPT file (SHAREGPT_FILTER).
SYNTHETIC_SHAREGPT = {"in_median": 220, "in_sigma": 0.9, "out_median": 200, "out_sigma": 0.8}

# vllm bench serve's ShareGPT pruning (vllm/benchmarks/datasets: is_valid_sequence defaults):
# drop prompts or answers under 4 tokens, prompts over 1024, and prompt + answer over 2048.
SHAREGPT_FILTER = {"min_len": 4, "max_prompt_len": 1024, "max_total_len": 2048}


@dataclass(frozen=True)
class OpenOptions:
    """Run-wide options of the open loop (the suite config sets them for every open bench)."""

    # ignore_eos: force every answer to its planned length (`vllm bench serve --ignore-eos`);
    # off by default, as in vllm. max_prompt_tokens / max_output_tokens: per-request caps a
    # profile applies to every planned job (the smoke profile keeps requests tiny).

    ignore_eos: bool = False
    max_prompt_tokens: int | None = None
    max_output_tokens: int | None = None


@dataclass(frozen=True)
class Job:
    """One request of the plan: when to send, how long the prompt and the answer."""

    at: float
    prompt_tokens: int
    output_tokens: int
    text: str | None = None


def arrival_offsets(n: int, rate: float, burstiness: float, rng: random.Random) -> list[float]:
    """Send times (s after the start) as vllm bench serve's get_request computes them."""
    # n gaps drawn from Gamma(shape=burstiness, scale=1/(rate*burstiness)) (constant 1/rate for
    # infinite burstiness), accumulated so that even the first request waits one gap, then
    # rescaled so the last request is sent exactly n/rate after the start. Infinite rate: all 0.
    if n <= 0:
        return []
    if math.isinf(rate):
        return [0.0] * n
    if math.isinf(burstiness):
        gaps = [1.0 / rate] * n
    else:
        theta = 1.0 / (rate * burstiness)
        gaps = [rng.gammavariate(burstiness, theta) for _ in range(n)]
    out, t = [], 0.0
    for g in gaps:
        t += g
        out.append(t)
    if out[-1] != 0:
        factor = (n / rate) / out[-1]
        out = [x * factor for x in out]
    return out


def is_valid_sequence(prompt_len: int, output_len: int, max_prompt_len: int | None = None) -> bool:
    """vllm's ShareGPT filter: both >= 4 tokens, prompt <= 1024, prompt + output <= 2048."""
    f = SHAREGPT_FILTER
    cap = (
        f["max_prompt_len"] if max_prompt_len is None else min(f["max_prompt_len"], max_prompt_len)
    )
    return (
        prompt_len >= f["min_len"]
        and output_len >= f["min_len"]
        and prompt_len <= cap
        and prompt_len + output_len <= f["max_total_len"]
    )


def clamp_lengths(pairs: list[tuple[int, int]], options: OpenOptions) -> list[tuple[int, int]]:
    """Apply the profile's per-request caps to (prompt, output) lengths."""
    cin, cout = options.max_prompt_tokens, options.max_output_tokens
    return [(min(i, cin) if cin else i, min(o, cout) if cout else o) for i, o in pairs]


def random_lengths(bench: Bench, rng: random.Random) -> list[tuple[int, int]]:
    """Input/output lengths uniform in [x(1-r), x(1+r)], as vllm's random dataset."""
    r = bench.range_ratio
    pin = bench.prompt_tokens[0] if bench.prompt_tokens else 256
    pout = bench.output_tokens or 128
    lo_i, hi_i = max(1, int(pin * (1 - r))), max(1, int(pin * (1 + r)))
    lo_o, hi_o = max(1, int(pout * (1 - r))), max(1, int(pout * (1 + r)))
    return [
        (rng.randint(lo_i, hi_i), rng.randint(lo_o, hi_o)) for _ in range(bench.num_prompts or 1)
    ]


def sharegpt_pairs(path: Path, rng: random.Random) -> list[tuple[str, str]]:
    """(first human turn, answer) of each conversation with 2+ turns, shuffled as vllm does."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ArenaError(f"{path}: not a readable ShareGPT JSON file ({exc})") from exc
    pairs = []
    for conv in data if isinstance(data, list) else []:
        turns = conv.get("conversations") if isinstance(conv, dict) else None
        if isinstance(turns, list) and len(turns) >= 2:
            q, a = (t.get("value") if isinstance(t, dict) else None for t in turns[:2])
            if isinstance(q, str) and isinstance(a, str):
                pairs.append((q, a))
    if not pairs:
        raise ArenaError(f"{path}: no conversations with a human turn and an answer found")
    rng.shuffle(pairs)
    return pairs


async def sharegpt_items(
    pairs: list[tuple[str, str]],
    n: int,
    count: Callable[[str], Any],
    options: OpenOptions,
    rng: random.Random,
) -> tuple[list[tuple[str, int, int]], int, int]:
    """Walk the shuffled pairs, keep those vllm's filter keeps, until n; then oversample."""
    # `count(text)` is an awaitable token count (the server's /tokenize, else an estimate).
    # Returns n (prompt, prompt tokens, output tokens) items, how many pairs were examined and
    # how many of them passed the filter.
    kept: list[tuple[str, int, int]] = []
    seen = 0
    for q, a in pairs:
        if len(kept) >= n:
            break
        seen += 1
        p_len, o_len = await count(q), await count(a)
        if is_valid_sequence(p_len, o_len, options.max_prompt_tokens):
            o = min(o_len, options.max_output_tokens) if options.max_output_tokens else o_len
            kept.append((q, p_len, o))
    if not kept:
        raise ArenaError(
            "ShareGPT file: no conversation passes vllm's filter (prompt and answer >= 4 tokens, "
            "prompt <= 1024, prompt + answer <= 2048"
            + (
                f", prompt <= {options.max_prompt_tokens} in this profile"
                if options.max_prompt_tokens
                else ""
            )
            + ")"
        )
    base = list(kept)
    while len(kept) < n:  # vllm's maybe_oversample_requests: random picks of the kept ones
        kept.append(rng.choice(base))
    return kept, seen, len(base)


def synthetic_sharegpt(n: int, rng: random.Random) -> list[tuple[int, int]]:
    """Lognormal input/output lengths (SYNTHETIC_SHAREGPT), redrawn until vllm's filter passes."""
    s = SYNTHETIC_SHAREGPT
    out: list[tuple[int, int]] = []
    while len(out) < n:
        i = round(rng.lognormvariate(math.log(s["in_median"]), s["in_sigma"]))
        o = round(rng.lognormvariate(math.log(s["out_median"]), s["out_sigma"]))
        if is_valid_sequence(i, o):
            out.append((i, o))
    return out


async def plan(
    t: Target,
    bench: Bench,
    seed: int,
    sharegpt: Path | None,
    opts: OpenOptions,
) -> tuple[list[Job], list[str]]:
    """All jobs with prompt texts, built before the measured window starts."""
    rng = random.Random(seed)
    n = bench.num_prompts or 1
    notes: list[str] = []
    offsets = arrival_offsets(n, bench.request_rate or math.inf, bench.burstiness, rng)
    jobs: list[Job] = []
    if bench.dataset == "sharegpt" and sharegpt is not None:
        pm = t.prompts

        async def count(text: str) -> int:
            got = await pm.count(t.session, text) if pm.method == "tokenize" else None
            return got if got is not None else round(len(text.split()) * pm.tokens_per_word)

        pairs = sharegpt_pairs(sharegpt, rng)
        items, seen, kept = await sharegpt_items(pairs, n, count, opts, rng)
        for at, (text, pin, out) in zip(offsets, items, strict=True):
            jobs.append(Job(at, pin, out, text))
        how = "/tokenize" if pm.method == "tokenize" else "estimated"
        notes.append(
            f"dataset: ShareGPT file {sharegpt.name}; vllm's filter kept {kept} of {seen} "
            f"conversations examined (token counts {how})"
        )
        return jobs, notes
    if bench.dataset == "sharegpt":
        lengths = synthetic_sharegpt(n, rng)
        notes.append("dataset: synthetic ShareGPT-like lengths (no --dataset sharegpt=PATH given)")
    else:
        lengths = random_lengths(bench, rng)
    for at, (pin, pout) in zip(offsets, clamp_lengths(lengths, opts), strict=True):
        text, actual = await t.prompts.make(t.session, pin, rng)
        jobs.append(Job(at, actual, pout, text))
    return jobs, notes
