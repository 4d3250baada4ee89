"""Apply a profile (full, quick, smoke) from profiles.toml to a bench definition."""

from __future__ import annotations

import dataclasses
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from arena.catalog.types import Bench
from arena.errors import ArenaError


@lru_cache(maxsize=1)
def profiles() -> dict[str, dict[str, Any]]:
    """Profile name -> its scaling rules."""
    text = resources.files("arena.bench").joinpath("profiles.toml").read_text("utf-8")
    return dict(tomllib.loads(text))


def apply_profile(bench: Bench, name: str) -> Bench:
    """The bench as this profile runs it."""
    if name not in profiles():
        raise ArenaError(f"--profile {name!r}: expected one of {', '.join(profiles())}")
    p = profiles()[name]
    if not p:
        return bench
    changes: dict[str, Any] = {}
    if "runs" in p:
        changes["runs"] = p["runs"]
    cap_in = p.get("max_prompt_tokens")
    if cap_in:
        changes["prompt_tokens"] = tuple(dict.fromkeys(min(x, cap_in) for x in bench.prompt_tokens))
        if bench.reference_prompt_tokens:
            changes["reference_prompt_tokens"] = min(bench.reference_prompt_tokens, cap_in)
    if p.get("max_output_tokens") and bench.output_tokens:
        changes["output_tokens"] = min(bench.output_tokens, p["max_output_tokens"])
    if "max_depth" in p:
        changes["depth"] = min(bench.depth, p["max_depth"])
    cap_c = p.get("max_concurrency_level")
    if cap_c and bench.concurrency:
        levels = tuple(dict.fromkeys(min(c, cap_c) for c in bench.concurrency))
        changes["concurrency"] = levels
        ref = bench.reference_concurrency
        changes["reference_concurrency"] = ref if ref in levels else max(levels)
    if cap_c and bench.max_concurrency:
        changes["max_concurrency"] = min(bench.max_concurrency, cap_c)
    if bench.mode == "open":
        n = bench.num_prompts or 1
        if "num_prompts" in p:
            n = p["num_prompts"]
        elif "num_prompts_scale" in p:
            n = max(p.get("min_prompts", 1), round(n * p["num_prompts_scale"]))
        changes["num_prompts"] = n
        if "request_rate" in p:
            changes["request_rate"] = p["request_rate"]
    return dataclasses.replace(bench, **changes)


def job_caps(name: str) -> tuple[int | None, int | None]:
    """(max prompt tokens, max output tokens) the profile allows any one open-loop request."""
    # The caps also bound lengths that come from a dataset (ShareGPT file or the synthetic
    # ShareGPT-like distribution) or from a random range around a capped nominal length.
    if name not in profiles():
        raise ArenaError(f"--profile {name!r}: expected one of {', '.join(profiles())}")
    p = profiles()[name]
    return p.get("max_prompt_tokens") or None, p.get("max_output_tokens") or None
