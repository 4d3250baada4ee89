"""The rules a submitted run meets before a board stores it: types, finite numbers, column
lengths, and suite and bench ids the catalog knows."""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import types
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal, Protocol, Union, get_args, get_origin, get_type_hints

from sqlalchemy import String

from arena.catalog.types import Catalog
from arena.errors import ArenaError
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    HardwareInfo,
    Provenance,
    RunInfo,
)
from arena.store.schema import BaseModelRow, BenchResult, Build, Hardware, RunRow

# A run id travels in URLs (/api/runs/ID): ASCII letters, digits, '.', '_', '-'; 64 at most.
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

# record type -> (table, record field -> column name where they differ)
_COLUMNS: dict[type, tuple[type, dict[str, str]]] = {
    HardwareInfo: (Hardware, {}),
    BaseModelInfo: (BaseModelRow, {}),
    BuildInfo: (Build, {"base_model": "base_model_id"}),
    RunInfo: (RunRow, {}),
    BenchRecord: (BenchResult, {}),
    Provenance: (BenchResult, {"date": "measured_at", "file": "source_file"}),
}


class Submission(Protocol):
    """What a board stores for one submitted run (arena.dataset.RunBundle has this shape)."""

    @property
    def hardware(self) -> HardwareInfo: ...
    @property
    def build(self) -> BuildInfo: ...
    @property
    def run(self) -> RunInfo: ...
    @property
    def results(self) -> Sequence[BenchRecord]: ...
    @property
    def base_model(self) -> BaseModelInfo | None: ...
    def content_hash(self) -> str: ...


@cache
def column_lengths(record: type) -> dict[str, int]:
    """Record field -> the length limit of the string column it is stored in."""
    if record not in _COLUMNS:
        return {}
    table, renamed = _COLUMNS[record]
    columns = table.__table__.columns  # type: ignore[attr-defined]
    out = {}
    for f in dataclasses.fields(record):
        col = columns.get(renamed.get(f.name, f.name))
        if col is not None and isinstance(col.type, String) and col.type.length:
            out[f.name] = int(col.type.length)
    return out


def _fail(where: str, value: object, expected: str) -> ArenaError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return ArenaError(f"field '{where}' = {shown}; expected {expected}")


def _json(value: object, where: str) -> None:
    """Free-form JSON (rows, distributions, configs): finite numbers, string keys."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, value, "a finite number")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _fail(where, k, "string keys")
            _json(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _json(v, f"{where}[{i}]")
    elif value is not None and not isinstance(value, str | int | float):
        raise _fail(where, value, "a JSON value")


def _value(value: object, hint: Any, where: str, limit: int | None) -> str | None:
    """None when `value` fits `hint`, else what was expected."""
    origin = get_origin(hint)
    if hint is Any:
        _json(value, where)
        return None
    if hint is type(None):
        return None if value is None else "null"
    if origin in (Union, types.UnionType):
        wants = [_value(value, h, where, limit) for h in get_args(hint)]
        return None if None in wants else " or ".join(w for w in wants if w)
    if origin is Literal:
        return None if value in get_args(hint) else f"one of {list(get_args(hint))}"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return None if isinstance(value, hint) else f"one of {[str(m.value) for m in hint]}"
    if hint is str:
        if not isinstance(value, str):
            return "a string"
        return None if limit is None or len(value) <= limit else f"at most {limit} characters"
    if hint is float or hint is int:
        kinds = int if hint is int else int | float
        ok = (
            isinstance(value, kinds)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value >= 0
        )
        return None if ok else f"a finite non-negative {'integer' if hint is int else 'number'}"
    if origin is dict:
        if not isinstance(value, dict):
            return "an object"
        value_hint = get_args(hint)[1]
        for k, v in value.items():
            if not isinstance(k, str):
                raise _fail(where, k, "string keys")
            check_value(v, value_hint, f"{where}.{k}")
        return None
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            return "a list"
        item = get_args(hint)[0]
        for i, v in enumerate(value):
            check_value(v, item, f"{where}[{i}]")
        return None
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):  # type: ignore[arg-type]
            return "an object"
        check_record(value, where)
        return None
    raise TypeError(f"{where}: no rule for {hint!r}")  # a record field type this module lacks


def check_value(value: object, hint: Any, where: str, limit: int | None = None) -> None:
    """Raise naming `where` when `value` does not fit the type hint."""
    expected = _value(value, hint, where, limit)
    if expected is not None:
        raise _fail(where, value, expected)


def check_record(record: Any, where: str) -> None:
    """Every field of a record against its type hint and column length."""
    cls: type = type(record)
    hints = get_type_hints(cls)
    lengths = column_lengths(cls)
    for f in dataclasses.fields(cls):
        at = f"{where}.{f.name}"
        check_value(getattr(record, f.name), hints[f.name], at, lengths.get(f.name))


def check_submission(b: Submission, catalog: Catalog) -> None:
    """Raise one ArenaError naming the field when the run breaks a rule the importers apply."""
    check_record(b.hardware, "hardware")
    if b.base_model is not None:
        check_record(b.base_model, "base_model")
    check_record(b.build, "build")
    check_record(b.run, "run")
    if not RUN_ID.fullmatch(b.run.id):
        raise _fail("run.id", b.run.id, "1-64 ASCII letters, digits, '.', '_' or '-'")
    for key in ("hardware.id", "build.name", "build.precision", "run.suite"):
        part, _, name = key.partition(".")
        if not str(getattr(getattr(b, part), name)).strip():
            raise _fail(key, "", "a non-empty string")
    suite = catalog.suites.get(b.run.suite)
    if suite is None:
        raise _fail("run.suite", b.run.suite, f"one of {list(catalog.suites)}")
    benches = [p.bench for p in suite.benches]
    seen: set[str] = set()
    for i, r in enumerate(b.results):
        where = f"run.results[{i}]"
        check_record(r, where)
        if r.bench_id not in benches:
            raise _fail(f"{where}.bench_id", r.bench_id, f"a bench of suite {suite.id}: {benches}")
        if r.bench_id in seen:
            raise _fail(f"{where}.bench_id", r.bench_id, "each bench once per run")
        seen.add(r.bench_id)
