"""The run bundle a box sends to a board: round trip, content digest, field errors."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from arena.dataset import RunBundle, from_bundle, load_bundled, to_bundle
from arena.errors import ArenaError


def _bundle() -> RunBundle:
    ds = load_bundled("dgx_spark_v2.json")
    br = ds.runs[0]
    build = next(b for b in ds.builds if b.id == br.build_id)
    hw = next(h for h in ds.hardware if h.id == build.hardware_id)
    bm = next(m for m in ds.base_models if m.id == build.base_model)
    return RunBundle(hw, build, br.run, br.results, bm)


def test_bundle_round_trips_through_json() -> None:
    b = _bundle()
    back = from_bundle(json.loads(json.dumps(to_bundle(b))))
    assert back == b
    assert back.content_hash() == b.content_hash()


def test_content_hash_ignores_run_id_and_origin_but_not_numbers() -> None:
    b = _bundle()
    renamed = dataclasses.replace(b, run=dataclasses.replace(b.run, id="b-other", origin="x"))
    assert renamed.content_hash() == b.content_hash()
    first = b.results[0]
    changed = dataclasses.replace(first, tps_total=(first.tps_total or 0) + 1)
    other = dataclasses.replace(b, results=[changed, *b.results[1:]])
    assert other.content_hash() != b.content_hash()


def _set(path: tuple[str | int, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set(("format",), "arena-run/9"), "field 'format' = 'arena-run/9'"),
        (_set(("extra",), 1), "unknown field 'extra'"),
        (_set(("run",), []), "field 'run': expected an object"),
        (_set(("build", "id"), "../../etc/passwd"), "build: field 'id'"),
        (_set(("run", "hardware_id"), "rtx-4090"), "field 'run.hardware_id'"),
        (_set(("run", "results", 0, "flags"), ["bogus"]), "field 'flags'"),
    ],
)
def test_bad_bundle_names_the_field(edit: Callable[[dict[str, Any]], None], message: str) -> None:
    data = json.loads(json.dumps(to_bundle(_bundle())))
    edit(data)
    with pytest.raises(ArenaError) as err:
        from_bundle(data)
    assert message in str(err.value)
