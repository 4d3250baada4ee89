"""The checkpoint keeps each answer's error kind as a type, and still reads lines written before
kinds existed (a --resume across the upgrade keeps its answers)."""

from __future__ import annotations

import json
from pathlib import Path

from arena.evals import Checkpoint, Outcome
from arena.verdicts import ErrorKind


def _outcome(i: int, kind: ErrorKind | None) -> Outcome:
    failed = kind is not None
    error = "connection refused: x" if failed else None
    return Outcome(f"q{i}", not failed, None if failed else "A", None if failed else "stop",
                   failed, error, 3, 0.5, kind=kind)  # fmt: skip


def test_error_kind_round_trips_as_the_enum(tmp_path: Path) -> None:
    ckpt = Checkpoint(tmp_path / "c.jsonl", "k1")
    with ckpt.writer(fresh=True, header={"task": "t"}) as write:
        write(_outcome(0, None))
        write(_outcome(1, ErrorKind.REFUSED))
        write(_outcome(2, ErrorKind.HTTP_STATUS))
    kept = ckpt.load()
    assert [kept[f"q{i}"].kind for i in range(3)] == [
        None,
        ErrorKind.REFUSED,
        ErrorKind.HTTP_STATUS,
    ]
    assert isinstance(kept["q1"].kind, ErrorKind)
    assert kept["q1"].kind.server_gone
    assert kept["q0"] == _outcome(0, None)


def test_lines_without_a_kind_still_load_and_unknown_kinds_are_asked_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.jsonl"
    old = {"id": "q0", "correct": True, "extracted": "A", "finish_reason": "stop",
           "failed": False, "error": None, "output_tokens": 3, "seconds": 0.5,
           "tail": None}  # fmt: skip
    unknown = {**old, "id": "q1", "failed": True, "kind": "no-such-kind"}
    lines = [{"checkpoint": "k1"}, old, unknown]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    kept = Checkpoint(path, "k1").load()
    assert list(kept) == ["q0"]
    assert kept["q0"].kind is None
    assert Checkpoint(path, "other-key").load() == {}
