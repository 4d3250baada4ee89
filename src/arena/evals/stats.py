"""Accuracy with a Wilson score interval, and seeded category-stratified subsets."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def wilson(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (stays inside [0, 1], sane at 0/n and n/n)."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= correct <= n:
        raise ValueError(f"correct={correct} outside 0..{n}")
    p = correct / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if correct == 0 else max(0.0, centre - half)  # exact ends, no rounding residue
    high = 1.0 if correct == n else min(1.0, centre + half)
    return low, high


def largest_remainder(counts: dict[K, int], total: int) -> dict[K, int]:
    """Split `total` proportionally to counts (Hamilton's method; ties by key order)."""
    population = sum(counts.values())
    if total >= population:
        return dict(counts)
    if total <= 0 or population == 0:
        return dict.fromkeys(counts, 0)
    quotas = {k: total * c / population for k, c in counts.items()}
    alloc = {k: math.floor(q) for k, q in quotas.items()}
    left = total - sum(alloc.values())
    order = sorted(counts, key=lambda k: (-(quotas[k] - alloc[k]), str(k)))
    for k in order[:left]:
        alloc[k] += 1
    return alloc


def stratified_subset(
    items: Sequence[T],
    size: int,
    seed: int,
    stratum: Callable[[T], str],
    ident: Callable[[T], str],
) -> list[T]:
    """`size` items, proportional per stratum, then shuffled; same seed, same list."""
    # Each stratum is sorted by id and sampled with its own RNG seeded by (seed, stratum), so a
    # stratum's pick does not depend on the others or on the input order; the union is shuffled
    # with an RNG seeded by the seed, which makes "the first N" (--limit) a random slice too.
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(stratum(item), []).append(item)
    alloc = largest_remainder({k: len(v) for k, v in groups.items()}, size)
    chosen: list[T] = []
    for key in sorted(groups):
        members = sorted(groups[key], key=ident)
        rng = random.Random(f"{seed}:{key}")
        chosen.extend(rng.sample(members, alloc[key]))
    chosen.sort(key=ident)
    random.Random(f"{seed}:order").shuffle(chosen)
    return chosen
