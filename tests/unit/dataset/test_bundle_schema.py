"""The published arena-run/1 JSON Schema covers every record field and every bundled run."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from arena.dataset import BUNDLE_FORMAT, load_bundled, to_bundle
from arena.dataset.bundle_schema import bundle_schema
from arena.records import (
    BaseModelInfo,
    BenchRecord,
    BuildInfo,
    Energy,
    HardwareInfo,
    Provenance,
    RunInfo,
    Sanity,
)
from tests.unit.store.test_board import bundle


@pytest.mark.parametrize(
    "record",
    [RunInfo, BuildInfo, BenchRecord, HardwareInfo, BaseModelInfo, Provenance, Energy, Sanity],
)
def test_every_record_field_is_in_the_schema(record: type) -> None:
    defs = bundle_schema()["$defs"]
    listed = set(defs[record.__name__]["properties"])
    assert {f.name for f in dataclasses.fields(record)} <= listed


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return schema["$defs"][ref.rsplit("/", 1)[1]] if ref else node


def _conforms(schema: dict[str, Any], node: dict[str, Any], value: Any, where: str) -> None:
    """A small check of the keywords the generator emits (no validator library is installed)."""
    node = _resolve(schema, node)
    if "anyOf" in node:
        errors = []
        for option in node["anyOf"]:
            try:
                _conforms(schema, option, value, where)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{where}: no option fits: {errors}")
    if "const" in node:
        assert value == node["const"], where
    if "enum" in node:
        assert value in node["enum"], where
    kind = node.get("type")
    if kind == "object":
        assert isinstance(value, dict), where
        props = node.get("properties", {})
        for key in node.get("required", []):
            assert key in value, f"{where}.{key} missing"
        for key, item in value.items():
            if node.get("additionalProperties") is False:
                assert key in props, f"{where}.{key} not in the schema"
            sub = props.get(key, node.get("additionalProperties", {}))
            _conforms(schema, sub if isinstance(sub, dict) else {}, item, f"{where}.{key}")
    elif kind == "array":
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            _conforms(schema, node["items"], item, f"{where}[{i}]")
    elif kind == "string":
        assert isinstance(value, str), where
        assert len(value) <= node.get("maxLength", len(value)), where
    elif kind == "number":
        assert isinstance(value, int | float), where
        assert value >= node["minimum"], where
    elif kind == "integer":
        assert isinstance(value, int), where
        assert value >= node["minimum"], where
    elif kind == "null":
        assert value is None, where


def test_every_bundled_v2_run_conforms_and_a_bad_one_does_not() -> None:
    schema = bundle_schema()
    assert schema["properties"]["format"]["const"] == BUNDLE_FORMAT
    for i in range(len(load_bundled("dgx_spark_v2.json").runs)):
        data = json.loads(json.dumps(to_bundle(bundle(f"run-{i}", i))))
        _conforms(schema, schema, data, "bundle")
    data["run"]["results"][0]["tps_total"] = -1
    with pytest.raises(AssertionError, match=r"tps_total"):
        _conforms(schema, schema, data, "bundle")
