"""JSON Schema of the arena-run/1 bundle, generated from the records so it cannot drift."""

from __future__ import annotations

import dataclasses
import enum
import types
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from arena.builds import SLUG
from arena.dataset.bundle import BUNDLE_FORMAT
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    HardwareInfo,
    RunInfo,
)
from arena.store.submission import RUN_ID, column_lengths

SCHEMA_ID = "/api/schema/arena-run-1.json"
JsonSchema = dict[str, Any]


def _type(hint: Any, defs: dict[str, JsonSchema], max_length: int | None = None) -> JsonSchema:
    """The schema of one type hint; records go to `defs` and are referenced."""
    origin = get_origin(hint)
    if hint is Any:
        return {}
    if hint is type(None):
        return {"type": "null"}
    if origin in (Union, types.UnionType):
        return {"anyOf": [_type(h, defs, max_length) for h in get_args(hint)]}
    if origin is Literal:
        return {"enum": list(get_args(hint))}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [m.value for m in hint]}
    if hint is str:
        return {"type": "string"} | ({"maxLength": max_length} if max_length else {})
    if hint is float:
        return {"type": "number", "minimum": 0}
    if hint is int:
        return {"type": "integer", "minimum": 0}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type(get_args(hint)[1], defs)}
    if origin in (list, tuple):
        return {"type": "array", "items": _type(get_args(hint)[0], defs)}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        _record(hint, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    raise TypeError(f"no JSON Schema rule for {hint!r}")


def _record(cls: type, defs: dict[str, JsonSchema]) -> JsonSchema:
    """An object schema for a record: its fields, those without a default required."""
    if cls.__name__ in defs:
        return defs[cls.__name__]
    out: JsonSchema = {}
    defs[cls.__name__] = out
    hints = get_type_hints(cls)
    lengths = column_lengths(cls)
    props: JsonSchema = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        props[f.name] = _type(hints[f.name], defs, lengths.get(f.name))
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    out.update(
        type="object",
        description=(cls.__doc__ or "").strip(),
        properties=props,
        required=required,
        additionalProperties=False,
    )
    return out


@cache
def bundle_schema() -> JsonSchema:
    """The arena-run/1 bundle as JSON Schema (2020-12); the board also checks suite and bench
    ids against its catalog, which a schema cannot say."""
    defs: dict[str, JsonSchema] = {}
    for cls in (HardwareInfo, BaseModelInfo, BuildInfo, RunInfo):
        _record(cls, defs)
    run = defs["RunInfo"]
    run["properties"]["id"] |= {"pattern": f"^{RUN_ID.pattern}$"}
    defs["BuildInfo"]["properties"]["id"] |= {"pattern": f"^{SLUG.pattern}$"}
    run["properties"]["results"] = {"type": "array", "items": _type(BenchRecord, defs)}
    run["description"] += " Holds its bench results in `results`."
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": BUNDLE_FORMAT,
        "description": "One run of one build, sent to a board with POST /api/runs. The run id "
        "is chosen by the sender; the same id or the same content is stored once.",
        "type": "object",
        "properties": {
            "format": {"const": BUNDLE_FORMAT},
            "hardware": {"$ref": "#/$defs/HardwareInfo"},
            "base_model": {"anyOf": [{"$ref": "#/$defs/BaseModelInfo"}, {"type": "null"}]},
            "build": {"$ref": "#/$defs/BuildInfo"},
            "run": {"$ref": "#/$defs/RunInfo"},
        },
        "required": ["format", "hardware", "build", "run"],
        "additionalProperties": False,
        "$defs": defs,
    }
