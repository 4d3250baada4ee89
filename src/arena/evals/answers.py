"""Multiple-choice prompts in Artificial Analysis's 0-shot format and tolerant answer extraction."""
# Prompt (MMLU-Pro and GPQA Diamond alike)::
#
#     Answer the following multiple choice question. The last line of your response should be in
#     the following format: 'Answer: A/B/C/D' (e.g. 'Answer: A').
#
#     {question}
#
#     A) {option A}
#     B) {option B}
#     ...
#
# Extraction: every match of ANSWER_RE or BOXED_RE in the reply; the LAST one (by position) whose
# letter names an offered option wins. ANSWER_RE reads the word "answer" (any case, not inside a
# word; also "answers", "answer is", "answer is:", "**Answer**:"), then optional markdown or LaTeX
# decoration (``*`` ``_`` ``$`` ``(`` ``[`` ``{``, ``\boxed{``, ``\text{``, "option", "choice"),
# then ONE capital letter A-J followed by a delimiter (whitespace, end, ``)`` ``.`` ``]`` ``}``
# ``*`` ``:`` ``,`` ``;`` ``$`` ``_`` or a quote). BOXED_RE reads a bare ``\boxed{X}``. So
# "Answer: X", "answer is (X)", "**Answer:** X", "**Answer: X**", "Final answer: $\boxed{X}$" and
# "The correct answer is option X." all give X; an echoed template "Answer: A/B/C/D" gives nothing
# (``/`` is no delimiter), nor does "Answer: Because". Lower-case letters are not read (too many
# false hits: "the answer is a ..."). A reply with no match has no answer and is graded wrong.

from __future__ import annotations

import re
from collections.abc import Sequence

LETTERS = "ABCDEFGHIJ"

INSTRUCTION = (
    "Answer the following multiple choice question. The last line of your response should be "
    "in the following format: 'Answer: {choices}' (e.g. 'Answer: A')."
)

ANSWER_RE = re.compile(
    r"(?<![A-Za-z])(?i:answers?)(?:\s+(?i:is))?[*_]*\s*[:\uff1a]?"
    r"[\s*_$(\[{]*"
    r"(?:\\(?:boxed|text|textbf|mathrm)\s*\{\s*)?"
    r"(?:(?i:option|choice)\s+)?"
    r"\(?([A-J])"
    r"(?=[\s).\]}*:,;$_'\"]|$)"
)
BOXED_RE = re.compile(r"\\boxed\s*\{\s*(?:\\text\s*\{\s*)?\(?([A-J])\)?\s*\}")


def mc_prompt(question: str, options: Sequence[str]) -> str:
    """One question with lettered options, asking for a last line 'Answer: X'."""
    if not 1 <= len(options) <= len(LETTERS):
        raise ValueError(f"expected 1 to {len(LETTERS)} options, got {len(options)}")
    letters = LETTERS[: len(options)]
    head = INSTRUCTION.format(choices="/".join(letters))
    lines = [f"{letter}) {str(opt).strip()}" for letter, opt in zip(letters, options, strict=True)]
    return f"{head}\n\n{question.strip()}\n\n" + "\n".join(lines)


def extract_letter(text: str, n_options: int = len(LETTERS)) -> str | None:
    """The last answer letter in a reply that names an offered option, else None."""
    valid = LETTERS[:n_options]
    best: tuple[int, str] | None = None
    for pattern in (ANSWER_RE, BOXED_RE):
        for m in pattern.finditer(text):
            letter = m.group(1)
            if letter in valid and (best is None or m.start() >= best[0]):
                best = (m.start(), letter)
    return None if best is None else best[1]
