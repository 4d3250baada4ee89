"""Wilson interval (known values), largest-remainder allocation, stratified subset, GPQA order."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from arena.errors import ArenaError
from arena.evals.gpqa import Question
from arena.evals.gpqa import load as gpqa_load
from arena.evals.mmlu_pro import Question as MmluQuestion
from arena.evals.mmlu_pro import load, subset
from arena.evals.stats import largest_remainder, stratified_subset, wilson
from tests.conftest import MMLU_PRO_FILE


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.27753),  # 3.84/13.84
        (10, 10, 0.72247, 1.0),
        (5, 10, 0.23659, 0.76341),
        (81, 263, 0.25529, 0.36621),  # Newcombe (1998) table I: 0.2553-0.3662
        (700, 1000, 0.67088, 0.72759),  # roots of (p - 0.7)^2 = z^2 p(1-p)/n
    ],
)
def test_wilson_known_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(k, n)
    assert (lo, hi) == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize("n", [1, 3, 20, 1000])
def test_wilson_ends_are_exact(n: int) -> None:
    assert wilson(0, n)[0] == 0.0
    assert wilson(n, n)[1] == 1.0


def test_wilson_empty_sample_is_uninformative() -> None:
    assert wilson(0, 0) == (0.0, 1.0)


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="outside"):
        wilson(11, 10)


def test_largest_remainder_sums_and_ties() -> None:
    alloc = largest_remainder({"a": 5, "b": 3, "c": 2}, 5)
    assert alloc == {"a": 3, "b": 1, "c": 1}  # quotas 2.5, 1.5, 1.0; tie broken by key


def test_largest_remainder_whole_population() -> None:
    assert largest_remainder({"a": 2, "b": 1}, 9) == {"a": 2, "b": 1}


def test_largest_remainder_exact_total() -> None:
    alloc = largest_remainder({f"c{i}": 100 + 37 * i for i in range(14)}, 1000)
    assert sum(alloc.values()) == 1000


def test_stratified_subset_ignores_input_order() -> None:
    items = [(f"{i:03d}", "xy"[i % 2]) for i in range(50)]
    a = stratified_subset(items, 10, 1, lambda t: t[1], lambda t: t[0])
    b = stratified_subset(items[::-1], 10, 1, lambda t: t[1], lambda t: t[0])
    assert a == b


@pytest.fixture(scope="module")
def questions() -> list[MmluQuestion]:
    if not MMLU_PRO_FILE.is_file():
        pytest.skip(f"{MMLU_PRO_FILE} not present")
    return load(MMLU_PRO_FILE)


def test_mmlu_pro_file_loads(questions: list[MmluQuestion]) -> None:
    assert len(questions) == 12032


def test_subset_sizes_per_category(questions: list[MmluQuestion]) -> None:
    picked = subset(questions, 1000, 42)
    counts = collections.Counter(q.category for q in questions)
    got = collections.Counter(q.category for q in picked)
    assert len(picked) == 1000
    assert len({q.question_id for q in picked}) == 1000
    assert got == largest_remainder(dict(counts), 1000)
    assert got["math"] == 112  # 1351 * 1000 / 12032 = 112.28
    assert got["history"] == 32  # 31.67 rounds up on its remainder


def test_subset_is_deterministic_and_seeded(questions: list[MmluQuestion]) -> None:
    a = [q.question_id for q in subset(questions, 1000, 42)]
    b = [q.question_id for q in subset(questions, 1000, 42)]
    c = [q.question_id for q in subset(questions, 1000, 43)]
    assert a == b
    assert a != c
    assert len(set(a) & set(c)) < 200  # a different seed draws a different sample


def test_subset_is_shuffled_so_limit_is_a_random_slice(questions: list[MmluQuestion]) -> None:
    first = subset(questions, 1000, 42)[:20]
    assert len({q.category for q in first}) > 5


def _q(i: int) -> Question:
    return Question(f"rec{i}", f"invented question {i}", f"right {i}", ("w1", "w2", "w3"))


def test_gpqa_shuffle_is_deterministic_per_seed() -> None:
    qs = [_q(i) for i in range(200)]
    a = [q.shuffled(42) for q in qs]
    b = [q.shuffled(42) for q in qs]
    c = [q.shuffled(7) for q in qs]
    assert a == b
    assert a != c
    for q, (choices, gold) in zip(qs, a, strict=True):
        assert choices["ABCD".index(gold)] == q.correct
        assert sorted(choices) == sorted([q.correct, *q.incorrect])


def test_gpqa_gold_letters_are_spread() -> None:
    golds = collections.Counter(_q(i).shuffled(42)[1] for i in range(400))
    assert set(golds) == set("ABCD")
    assert min(golds.values()) > 60  # ~100 each


def test_gpqa_prompt_uses_the_shuffled_order() -> None:
    q = _q(1)
    choices, _ = q.shuffled(42)
    assert f"A) {choices[0]}" in q.prompt(42)


# -- loaders: one clear error line, never a question's text ----------------------------------


def test_mmlu_pro_bad_row_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "m.jsonl"
    row = {"question_id": 1, "question": "q", "options": ["a", "b"], "answer": "C",
           "answer_index": 2, "category": "x"}  # fmt: skip
    f.write_text(json.dumps(row) + "\n")
    with pytest.raises(ArenaError, match=r"m.jsonl: row 1: answer_index 2 outside the 2 options"):
        load(f)


def test_mmlu_pro_parquet_reads_like_the_jsonl(tmp_path: Path) -> None:
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq

    with gzip.open(MMLU_PRO_FILE, "rt", encoding="utf-8") as fh:
        rows = [json.loads(next(fh)) for _ in range(40)]
    jsonl = tmp_path / "slice.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    # the Hugging Face parquet pads every question to 10 options with "N/A"
    padded = [{**r, "options": r["options"] + ["N/A"] * (10 - len(r["options"]))} for r in rows]
    assert any(len(r["options"]) < 10 for r in rows)
    parquet = tmp_path / "test-00000-of-00001.parquet"
    pq.write_table(pa.Table.from_pylist(padded), parquet)
    assert load(parquet) == load(jsonl)


def test_mmlu_pro_parquet_without_pyarrow_says_what_to_do(tmp_path: Path) -> None:
    f = tmp_path / "test.parquet"
    f.write_bytes(b"PAR1")
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"  # as if pyarrow were not installed
        "from pathlib import Path\n"
        "from arena.errors import ArenaError\n"
        "from arena.evals.mmlu_pro import load\n"
        "try:\n"
        f"    load(Path({str(f)!r}))\n"
        "except ArenaError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "reading parquet needs pyarrow (pip install pyarrow)" in out.stdout


def test_gpqa_aes_zip_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "gpqa.zip"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("dataset/gpqa_diamond.csv", "Question\n")
    data = f.read_bytes()  # mark the member as WinZip AES (method 99), as 7z -mem=AES256 does
    data = data.replace(b"PK\x03\x04\x14\x00\x00\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00c\x00")
    data = data.replace(b"\x14\x00\x00\x00\x00\x00", b"\x14\x00\x01\x00c\x00", 2)
    f.write_bytes(data)
    with pytest.raises(ArenaError, match="AES-encrypted zip"):
        gpqa_load(f, "pw")


def test_gpqa_missing_column(tmp_path: Path) -> None:
    f = tmp_path / "g.csv"
    f.write_text("Question,Correct Answer\nsecret text,secret answer\n")
    with pytest.raises(ArenaError, match="missing column 'Incorrect Answer 1'") as info:
        gpqa_load(f)
    assert "secret" not in str(info.value)
