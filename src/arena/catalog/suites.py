"""[[suite]] tables: which files of a run directory hold each bench, validated on load."""

# No `from __future__ import annotations` here: a TypedDict reads `Required[...]` when the class
# is created, and the table types below give check_entry its required fields.
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Required, TypedDict, cast

from arena.catalog.types import Bench, Suite, SuiteBench
from arena.catalog.validate import check_entry
from arena.errors import ArenaError


class SuiteTable(TypedDict, total=False):
    """A [[suite]] table once `check_entry` passed it; `bench` is checked entry by entry."""

    id: Required[str]
    title: Required[str]
    known_files: tuple[str, ...]
    bench: Required[tuple[object, ...]]


class SuiteBenchTable(TypedDict, total=False):
    """A [[suite.bench]] table once `check_entry` passed it."""

    id: Required[str]
    files: Required[tuple[str, ...]]
    telemetry: str
    step_files: str


SUITE_SPEC = {"id": "slug", "title": "str", "known_files": "str_list", "bench": "table_list"}
SUITE_BENCH_SPEC = {"id": "slug", "files": "str_list", "telemetry": "str", "step_files": "str"}


def parse_suite(where: str, raw: object, benches: Mapping[str, Bench]) -> Suite:
    """One validated suite: every bench exists and appears once."""
    d = cast(SuiteTable, check_entry(where, raw, SUITE_SPEC, SuiteTable.__required_keys__))
    parts: list[SuiteBench] = []
    for i, entry in enumerate(d["bench"]):
        at = f"{where} ({d['id']}): bench[{i}]"
        b = cast(
            SuiteBenchTable,
            check_entry(at, entry, SUITE_BENCH_SPEC, SuiteBenchTable.__required_keys__),
        )
        if b["id"] not in benches:
            raise ArenaError(f"{at}: unknown bench '{b['id']}'; known: {', '.join(benches)}")
        if any(p.bench == b["id"] for p in parts):
            raise ArenaError(f"{at}: bench '{b['id']}' listed twice")
        parts.append(SuiteBench(b["id"], b["files"], b.get("telemetry"), b.get("step_files")))
    return Suite(d["id"], d["title"], tuple(parts), d.get("known_files", ()))


V1_LETTER = re.compile(r"^([A-Z])_\*$")


def with_v1_letters(benches: dict[str, Bench], suites: Mapping[str, Suite]) -> dict[str, Bench]:
    """Benches carrying suite v1's file letters (for display), read off its 'X_*' stems."""
    v1 = suites.get("v1")
    if v1 is None:
        return benches
    out = dict(benches)
    for part in v1.benches:
        letters = [m.group(1) for f in part.files if (m := V1_LETTER.match(f))]
        if letters and part.bench in out:
            out[part.bench] = replace(
                out[part.bench], letter=letters[0], extra_letters=tuple(letters[1:])
            )
    return out
