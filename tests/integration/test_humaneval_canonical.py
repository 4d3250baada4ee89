"""HumanEval through our own sandbox: every canonical solution passes, wrong ones fail, and answers
are turned into programs by the documented extraction rule."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from arena.evals import humaneval
from arena.evals.humaneval import Problem, extract_code, instruction_prompt, load_problems
from arena.evals.sandbox import SandboxResult, check_humaneval


def _by_id(task_id: str) -> Problem:
    """One problem by its HumanEval id."""
    return next(p for p in load_problems() if p.task_id == task_id)


def test_all_164_problems_load_from_the_wheel() -> None:
    """The pinned data file: 164 problems in order, each with tests and an entry point."""
    problems = load_problems()
    assert len(problems) == 164
    assert [p.task_id for p in problems] == [f"HumanEval/{i}" for i in range(164)]
    assert all(f"def {p.entry_point}(" in p.prompt for p in problems)
    assert all("def check(candidate)" in p.test for p in problems)


@pytest.mark.slow
def test_every_canonical_solution_passes_in_the_sandbox() -> None:
    """prompt + canonical_solution passes for all 164 (the sandbox does not break valid code)."""
    problems = load_problems()
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(
            pool.map(lambda p: check_humaneval(p, p.prompt + p.canonical_solution), problems)
        )
    wall = time.monotonic() - start
    failed = {
        p.task_id: (r.status, r.stderr_tail[-300:]) for p, r in zip(problems, results, strict=True)
    }
    failed = {k: v for k, v in failed.items() if v[0] != "passed"}
    assert failed == {}
    mean = statistics.mean(r.seconds for r in results)
    print(f"164 canonical: {wall:.1f} s wall with 3 workers, {mean * 1000:.0f} ms mean per problem")
    assert wall < 600  # only a hang fails here; the timing figure is benchmarks/eval_figures.py's


@pytest.mark.slow
def test_wrong_solutions_fail() -> None:
    """Bodies that return None, loop forever or raise are not credited."""
    cases = [
        (_by_id("HumanEval/0"), "    return None\n", "failed"),
        (_by_id("HumanEval/2"), "    return None\n", "failed"),
        (_by_id("HumanEval/13"), "    return None\n", "failed"),
        (_by_id("HumanEval/53"), "    while True:\n        pass\n", "timeout"),
        (_by_id("HumanEval/100"), "    raise ValueError('no')\n", "failed"),
    ]
    results: list[SandboxResult] = [
        check_humaneval(p, p.prompt + body, timeout=2) for p, body, _ in cases
    ]
    assert [r.status for r in results] == [want for _, _, want in cases]


def test_instruction_prompt_is_zero_shot_with_one_code_block() -> None:
    """The exact instruction: the prompt in a python fence, asking for one python block back."""
    p = _by_id("HumanEval/0")
    text = instruction_prompt(p)
    assert text.startswith("Complete the following Python function.")
    assert "in a single ```python code block" in text
    assert f"```python\n{p.prompt.strip(chr(10))}\n```\n" in text


def test_extract_prefers_the_first_python_block() -> None:
    """A python-tagged block wins over an earlier untagged one; prose is ignored."""
    p = _by_id("HumanEval/23")  # strlen
    answer = (
        "Sure!\n```\nnot this\n```\nHere:\n```python\ndef strlen(string: str) -> int:\n"
        "    return len(string)\n```\nand\n```python\nprint('later')\n```\n"
    )
    code = extract_code(answer, p)
    assert code.endswith("def strlen(string: str) -> int:\n    return len(string)\n")
    assert "not this" not in code
    assert "later" not in code


def test_extract_falls_back_to_any_block_then_raw_text() -> None:
    """Untagged block, then the whole answer; an unterminated fence runs to the end."""
    p = _by_id("HumanEval/23")
    fn = "def strlen(string: str) -> int:\n    return len(string)\n"
    assert extract_code(f"```\n{fn}```", p).endswith(fn)
    assert extract_code(fn, p).endswith(fn)
    assert extract_code(f"```python\n{fn}", p).endswith(fn)


def test_extract_prepends_prompt_to_a_bare_body_and_preamble_to_a_function() -> None:
    """A body gets the whole prompt; a full function gets the prompt's imports and helpers."""
    strlen = _by_id("HumanEval/23")
    body = extract_code("```python\n    return len(string)\n```", strlen)
    decode = _by_id("HumanEval/38")  # decode_cyclic uses encode_cyclic from the prompt
    fn = extract_code("```python\ndef decode_cyclic(s: str):\n    return s\n```", decode)
    other = extract_code("```python\nprint('no function')\n```", strlen)
    assert body == strlen.prompt + "    return len(string)\n"
    assert fn.startswith(decode.prompt[: decode.prompt.index("def decode_cyclic")])
    assert "def encode_cyclic" in fn
    assert other == "print('no function')\n"


@pytest.mark.slow
def test_extracted_answers_grade_end_to_end() -> None:
    """Model-style answers (full function in a fence, or a bare body) pass via extract + check."""
    problems = load_problems()[:8]
    answers = [
        f"Here is the solution:\n```python\n{p.prompt.strip()}\n{p.canonical_solution}```\nDone."
        for p in problems[:4]
    ] + [f"```python\n{p.canonical_solution}```" for p in problems[4:]]
    results = [
        check_humaneval(p, extract_code(a, p)) for p, a in zip(problems, answers, strict=True)
    ]
    assert [r.status for r in results] == ["passed"] * 8
    assert humaneval.program_for(problems[0], "x = 1").endswith("check(has_close_elements)\n")
