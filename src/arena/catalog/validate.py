"""Field checks for catalog tables, each failure one line naming file, entry, field and value."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Set
from typing import TypeGuard

from arena.errors import ArenaError

Check = Callable[[object], bool]
# What a preset's G can rank: headline tok/s per user, or a rate sweep's capacity (requests/s
# offered while p95 TTFT stays within 2, 5 or 10 s).
MEASURES = ("tps_per_user", "capacity_rps_2s", "capacity_rps_5s", "capacity_rps_10s")


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


CHECKS: dict[str, tuple[Check, str]] = {
    "str": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "slug": (
        lambda v: (
            isinstance(v, str)
            and v != ""
            and all(c.isalnum() or c in "-_." for c in v)
            and v[0].isalnum()
        ),
        "a slug of letters, digits, '-', '_' or '.'",
    ),
    "mode": (lambda v: v in ("closed", "open", "sweep"), "'closed', 'open' or 'sweep'"),
    "measure": (
        lambda v: v in MEASURES,
        "'tps_per_user' or a capacity measure: " + ", ".join(sorted(MEASURES)[1:]),
    ),
    "pos_int": (lambda v: _is_int(v) and v > 0, "a positive integer"),
    "nonneg_int": (lambda v: _is_int(v) and v >= 0, "an integer >= 0"),
    "pos_num": (lambda v: _is_num(v) and v > 0, "a positive number"),
    "nonneg_num": (lambda v: _is_num(v) and v >= 0, "a number >= 0"),
    "fraction": (lambda v: _is_num(v) and 0 <= v <= 1, "a number from 0 to 1"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "url": (
        lambda v: isinstance(v, str) and v.startswith(("https://", "http://")) and " " not in v,
        "an http(s) URL of the page the figures come from",
    ),
    "int_list": (
        lambda v: isinstance(v, list) and all(_is_int(x) and x > 0 for x in v),
        "a list of positive integers",
    ),
    "rising_nums": (
        lambda v: (
            isinstance(v, list)
            and len(v) > 0
            and all(_is_num(x) and x > 0 for x in v)
            and all(a < b for a, b in itertools.pairwise(v))
        ),
        "a non-empty list of positive numbers in rising order",
    ),
    "table_list": (
        lambda v: isinstance(v, list) and len(v) > 0 and all(isinstance(x, dict) for x in v),
        "a non-empty array of tables",
    ),
    "str_list": (
        lambda v: isinstance(v, list) and len(v) > 0 and all(isinstance(x, str) for x in v),
        "a non-empty list of strings",
    ),
}


def check_entry(
    where: str, entry: object, spec: Mapping[str, str], required: Set[str]
) -> dict[str, object]:
    """Validate one table against spec (field -> check name); unknown fields are errors."""
    # Lists come back as tuples, the form the frozen catalog records hold.
    if not isinstance(entry, dict):
        raise ArenaError(f"{where}: expected a table of fields, got {entry!r}")
    ident = entry.get("id", "?")
    for name in sorted(required):
        if name not in entry:
            raise ArenaError(f"{where} ({ident}): missing field '{name}'")
    for name, value in entry.items():
        if name not in spec:
            known = ", ".join(sorted(spec))
            raise ArenaError(f"{where} ({ident}): unknown field '{name}'; known fields: {known}")
        check, expected = CHECKS[spec[name]]
        if not check(value):
            raise ArenaError(f"{where} ({ident}): field '{name}' = {value!r}; expected {expected}")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
