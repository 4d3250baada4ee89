"""Apply a profile (full, quick, smoke) from profiles.toml to a bench definition."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import TypedDict, get_type_hints

from arena.catalog.types import Bench
from arena.errors import ArenaError


class Profile(TypedDict, total=False):
    """How a profile scales a bench (profiles.toml); an absent key leaves the bench as it is."""

    runs: int
    max_prompt_tokens: int
    max_output_tokens: int
    max_concurrency_level: int
    max_depth: int
    num_prompts: int
    num_prompts_scale: float
    min_prompts: int
    request_rate: float
    max_steps: int  # sweep: keep this many rates, spread from the lowest to the highest
    sweep_rate_scale: float  # sweep: multiply every offered rate
    step_seconds: float  # sweep: seconds of arrivals per step
    min_step_prompts: int  # sweep: least requests per step


def _profile(name: str, doc: object) -> Profile:
    """A profiles.toml table, checked against Profile's keys and number types."""
    if not isinstance(doc, dict):
        raise ArenaError(f"profiles.toml: [{name}] is not a table")
    out = Profile()
    kinds = get_type_hints(Profile)
    for key, value in doc.items():
        kind = kinds.get(key)
        number = isinstance(value, int) or (kind is float and isinstance(value, float))
        if kind is None or isinstance(value, bool) or not number:
            raise ArenaError(f"profiles.toml: [{name}] {key} = {value!r}: unknown key or type")
        out[key] = value  # type: ignore[literal-required]
    return out


@lru_cache(maxsize=1)
def profiles() -> dict[str, Profile]:
    """Profile name -> its scaling rules."""
    text = resources.files("arena.bench").joinpath("profiles.toml").read_text("utf-8")
    return {name: _profile(name, doc) for name, doc in tomllib.loads(text).items()}


def _profile_named(name: str) -> Profile:
    if name not in profiles():
        raise ArenaError(f"--profile {name!r}: expected one of {', '.join(profiles())}")
    return profiles()[name]


def apply_profile(bench: Bench, name: str) -> Bench:
    """The bench as this profile runs it."""
    p = _profile_named(name)
    if not p:  # `full`: the bench exactly as defined
        return bench
    if "runs" in p:
        bench = replace(bench, runs=p["runs"])
    cap_in = p.get("max_prompt_tokens")
    if cap_in:
        bench = replace(
            bench, prompt_tokens=tuple(dict.fromkeys(min(x, cap_in) for x in bench.prompt_tokens))
        )
        if bench.reference_prompt_tokens:
            bench = replace(
                bench, reference_prompt_tokens=min(bench.reference_prompt_tokens, cap_in)
            )
    cap_out = p.get("max_output_tokens")
    if cap_out and bench.output_tokens:
        bench = replace(bench, output_tokens=min(bench.output_tokens, cap_out))
    if "max_depth" in p:
        bench = replace(bench, depth=min(bench.depth, p["max_depth"]))
    cap_c = p.get("max_concurrency_level")
    if cap_c and bench.concurrency:
        levels = tuple(dict.fromkeys(min(c, cap_c) for c in bench.concurrency))
        ref = bench.reference_concurrency
        bench = replace(
            bench, concurrency=levels, reference_concurrency=ref if ref in levels else max(levels)
        )
    if cap_c and bench.max_concurrency:
        bench = replace(bench, max_concurrency=min(bench.max_concurrency, cap_c))
    if bench.mode == "sweep":
        bench = _scale_sweep(bench, p)
    if bench.mode == "open":
        n = bench.num_prompts or 1
        if "num_prompts" in p:
            n = p["num_prompts"]
        elif "num_prompts_scale" in p:
            n = max(p.get("min_prompts", 1), round(n * p["num_prompts_scale"]))
        bench = replace(bench, num_prompts=n)
        if "request_rate" in p:
            bench = replace(bench, request_rate=p["request_rate"])
    return bench


def spread(values: tuple[float, ...], k: int) -> tuple[float, ...]:
    """k of the values, evenly spread over their indices, first and last kept."""
    if k >= len(values):
        return values
    if k == 1:
        return values[-1:]
    picks = dict.fromkeys(round(i * (len(values) - 1) / (k - 1)) for i in range(k))
    return tuple(values[i] for i in picks)


def _scale_sweep(bench: Bench, p: Profile) -> Bench:
    """Fewer and shorter steps (and other rates) as the profile asks."""
    rates = spread(bench.request_rates, p.get("max_steps", len(bench.request_rates)))
    scale = p.get("sweep_rate_scale", 1.0)
    return replace(
        bench,
        request_rates=tuple(round(r * scale, 6) for r in rates),
        step_seconds=p.get("step_seconds", bench.step_seconds),
        min_step_prompts=p.get("min_step_prompts", bench.min_step_prompts),
    )


def job_caps(name: str) -> tuple[int | None, int | None]:
    """(max prompt tokens, max output tokens) the profile allows any one open-loop request."""
    # The caps also bound lengths that come from a dataset (ShareGPT file or the synthetic
    # ShareGPT-like distribution) or from a random range around a capped nominal length.
    p = _profile_named(name)
    return p.get("max_prompt_tokens") or None, p.get("max_output_tokens") or None
