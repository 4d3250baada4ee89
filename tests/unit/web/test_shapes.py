"""The API's typed answers: the key order pydantic writes is the order the CLI writes."""

from __future__ import annotations

import dataclasses
import json

from pydantic import TypeAdapter

from arena.catalog import load_catalog
from arena.catalog.types import Bench, Bucket
from arena.records import BenchRecord, BuildInfo, HardwareInfo, Provenance, QualityRecord
from arena.service import BenchDetail, BuildDetail, QualityEntry, build_detail
from arena.service.shapes import SourceShape
from arena.store.views import BuildView
from arena.web.data import bench_info, bucket_info
from arena.web.shapes import BenchInfo, BucketInfo

VIEW = BuildView(
    build=BuildInfo(
        "b", "B", "org/m", "bf16", "box", params_total_b=8.0, server_config={"tp": 1, "x": [1, 2]}
    ),
    hardware=HardwareInfo("box", "Box · GB10"),
    base=None,
    origin="user",
    results={
        "chat": BenchRecord(
            "chat",
            42.0,
            None,
            None,
            None,
            120.0,
            1.5,
            Provenance("llama-benchy", "0.3.7"),
            rows=[{"concurrency": 10, "tg_tps_req": 42}],
            distribution={"median_tpot_ms": 20, "nan": float("nan")},
            completed=3,
        )
    },
    quality=[
        QualityRecord("org/m", "mmlu_pro", 70.0, "card", None, "model-card", details={"n": 5})
    ],
)


def test_build_detail_keys_are_in_the_documented_order() -> None:
    d = build_detail(VIEW, load_catalog())
    assert list(d) == list(BuildDetail.__annotations__)
    bench = d["benches"]["chat"]
    assert bench is not None
    assert list(bench) == list(BenchDetail.__annotations__)
    assert list(bench["source"]) == list(SourceShape.__annotations__)
    assert list(d["quality"]["mmlu_pro"][0]) == list(QualityEntry.__annotations__)


def test_api_serialisation_is_json_dumps_with_nan_as_null() -> None:
    """The API validates a detail against BuildDetail; that must not reorder or retype a value."""
    d = build_detail(VIEW, load_catalog())
    adapter = TypeAdapter(BuildDetail)
    dumped = adapter.dump_json(adapter.validate_python(d)).decode()
    assert dumped == json.dumps(d, separators=(",", ":"), ensure_ascii=False).replace("NaN", "null")
    assert '"server_config":{"tp":1,"x":[1,2]}' in dumped  # the tool's own JSON, ints kept


def test_catalog_infos_carry_every_dataclass_field_in_order() -> None:
    assert list(BenchInfo.__annotations__) == [f.name for f in dataclasses.fields(Bench)]
    assert list(BucketInfo.__annotations__) == [f.name for f in dataclasses.fields(Bucket)]
    cat = load_catalog()
    for b in cat.benches.values():
        assert bench_info(b) == dataclasses.asdict(b)
    for k in cat.buckets.values():
        assert bucket_info(k) == dataclasses.asdict(k)
