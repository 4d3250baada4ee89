"""The answer regex on real-world reply shapes, and the 0-shot multiple-choice prompt."""

from __future__ import annotations

import pytest

from arena.evals.answers import extract_letter, mc_prompt

SHAPES = [
    ("Answer: B", "B"),
    ("answer: C", "C"),
    ("ANSWER: J", "J"),
    ("Answer:D", "D"),
    ("Answer: (E)", "E"),
    ("Answer: [F]", "F"),
    ("Answer: G) 42 kg", "G"),
    ("Answer: H. The voltage doubles.", "H"),
    ("The answer is (C).", "C"),
    ("the answer is B", "B"),
    ("The correct answer is: **A**", "A"),
    ("**Answer:** D", "D"),
    ("**Answer: E**", "E"),
    ("__Answer__: F", "F"),
    ("Final Answer: I", "I"),
    ("Final answer: $\\boxed{B}$", "B"),
    ("So we get \\boxed{C}.", "C"),
    ("\\boxed{\\text{D}}", "D"),
    ("The correct answer is option I.", "I"),
    ("Answer: Choice A", "A"),
    ("Answers: B", "B"),
    ("Answer\uff1aH", "H"),  # full-width colon
    ("Answer:\nC", "C"),
    ("Reasoning...\n\nAnswer: A\n", "A"),
]


@pytest.mark.parametrize(("text", "letter"), SHAPES)
def test_answer_shapes(text: str, letter: str) -> None:
    assert extract_letter(text) == letter


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I am not sure.",
        "Answer: A/B/C/D/E/F/G/H/I/J",
        "Answer: Because the field is zero",
        "the answer is a bit subtle",
        "answer: (b)",
        "I answered quickly",
        "Answer: X",
        "Option B looks right",
    ],
)
def test_no_answer(text: str) -> None:
    assert extract_letter(text) is None


def test_last_match_wins() -> None:
    text = "Answer: A\nWait, that is wrong. The answer is (C).\nAnswer: D"
    assert extract_letter(text) == "D"


def test_boxed_after_answer_line_wins() -> None:
    assert extract_letter("Answer: A ... on reflection \\boxed{B}") == "B"


def test_letter_outside_the_options_is_skipped() -> None:
    assert extract_letter("Answer: B\nAnswer: G", n_options=4) == "B"


def test_four_option_letter_range() -> None:
    assert extract_letter("Answer: E", n_options=4) is None


def test_prompt_format() -> None:
    text = mc_prompt("  What is 2+2?\n", ["3", " 4 ", "5"])
    lines = text.splitlines()
    assert lines[0].startswith("Answer the following multiple choice question.")
    assert "'Answer: A/B/C' (e.g. 'Answer: A')" in lines[0]
    assert lines[2] == "What is 2+2?"
    assert lines[4:] == ["A) 3", "B) 4", "C) 5"]


def test_prompt_rejects_too_many_options() -> None:
    with pytest.raises(ValueError, match="1 to 10 options"):
        mc_prompt("q", [str(i) for i in range(11)])
