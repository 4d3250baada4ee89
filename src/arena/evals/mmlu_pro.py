"""MMLU-Pro from the user's JSONL (.jsonl, .jsonl.gz) or the public parquet, as eval items."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena.errors import ArenaError
from arena.evals.answers import LETTERS, mc_prompt
from arena.evals.stats import stratified_subset

FIELDS = ("question_id", "question", "options", "answer_index", "category")
FULL_SIZE = 12032
Row = dict[str, Any]  # one parsed JSON line or parquet row, checked field by field


@dataclass(frozen=True)
class Question:
    """One MMLU-Pro question; `answer` is the gold letter."""

    question_id: str
    question: str
    options: tuple[str, ...]
    answer: str
    category: str

    def prompt(self) -> str:
        """Artificial Analysis's 0-shot prompt for this question."""
        return mc_prompt(self.question, self.options)


def _rows_jsonl(path: Path) -> list[Row]:
    opener = gzip.open if path.name.endswith(".gz") else open
    rows: list[Row] = []
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ArenaError(f"{path}: line {lineno}: not valid JSON ({exc.msg})") from exc
    except (OSError, EOFError) as exc:
        raise ArenaError(f"{path}: cannot read ({exc})") from exc
    return rows


def _rows_parquet(path: Path) -> list[Row]:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise ArenaError(
            f"{path}: reading parquet needs pyarrow (pip install pyarrow), "
            "or convert the file to JSONL"
        ) from None
    table = pq.read_table(path)
    return [dict(r) for r in table.to_pylist()]


def _question(row: Row, where: str) -> Question:
    missing = [f for f in FIELDS if f not in row]
    if missing:
        raise ArenaError(f"{where}: missing field '{missing[0]}'; expected {', '.join(FIELDS)}")
    options = [str(o) for o in row["options"]]
    while options and options[-1].strip() in ("", "N/A"):  # the parquet pads to 10 with N/A
        options.pop()
    if not 1 <= len(options) <= len(LETTERS):
        raise ArenaError(f"{where}: {len(options)} options; expected 1 to {len(LETTERS)}")
    index = row["answer_index"]
    if not isinstance(index, int) or not 0 <= index < len(options):
        raise ArenaError(f"{where}: answer_index {index!r} outside the {len(options)} options")
    letter = LETTERS[index]
    given = row.get("answer")
    if given is not None and str(given).strip() != letter:
        raise ArenaError(f"{where}: answer {given!r} does not match answer_index {index}")
    return Question(
        question_id=str(row["question_id"]),
        question=str(row["question"]),
        options=tuple(options),
        answer=letter,
        category=str(row["category"]),
    )


def load(path: Path) -> list[Question]:
    """Every question in the file, checked; one clear error line for the first bad row."""
    if not path.is_file():
        raise ArenaError(f"--mmlu-pro-file {path}: no such file")
    name = path.name.lower()
    if name.endswith(".parquet"):
        rows = _rows_parquet(path)
    elif name.endswith((".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")):
        rows = _rows_jsonl(path)
    else:
        raise ArenaError(f"--mmlu-pro-file {path}: expected .jsonl, .jsonl.gz or .parquet")
    questions = [_question(r, f"{path.name}: row {i}") for i, r in enumerate(rows, 1)]
    if not questions:
        raise ArenaError(f"--mmlu-pro-file {path}: no questions")
    ids = {q.question_id for q in questions}
    if len(ids) != len(questions):
        raise ArenaError(f"--mmlu-pro-file {path}: question_id values are not unique")
    return questions


def subset(questions: list[Question], size: int, seed: int) -> list[Question]:
    """Seeded category-stratified subset (largest-remainder allocation), shuffled."""
    return stratified_subset(
        questions, size, seed, stratum=lambda q: q.category, ident=lambda q: q.question_id
    )
