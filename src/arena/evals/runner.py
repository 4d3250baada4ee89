"""Ask every question of a task at temperature 0, N at a time, grade, checkpoint each answer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

from arena.errors import ArenaError
from arena.evals.task_types import (
    Answered,
    GradingError,
    Item,
    Outcome,
    ProgressCallback,
    Reply,
    Task,
    TaskResult,
    TaskStarted,
)
from arena.verdicts import ErrorKind

PROTOCOL = "v1"  # bump when prompts, extraction or request parameters change
TEMPERATURE = 0.0


async def ask(
    session: aiohttp.ClientSession,
    url: str,
    model: str,
    prompt: str,
    max_tokens: int,
    allowed_s: float,
) -> Reply:
    """POST one non-streaming chat completion at temperature 0; failures carry their reason."""
    body = {
        "model": model,
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": max_tokens,
        "temperature": TEMPERATURE,
        "stream": False,
    }
    try:
        async with asyncio.timeout(allowed_s):
            async with session.post(url, json=body) as resp:
                raw = await resp.text()
                if resp.status >= 400:
                    error = f"HTTP {resp.status}: {raw[:200]}".replace("\n", " ")
                    return Reply(error=error, kind=ErrorKind.HTTP_STATUS)
        data = json.loads(raw)
        choice = data["choices"][0]
        message = choice.get("message") or {}
        usage = data.get("usage") or {}
        tokens = usage.get("completion_tokens")
        return Reply(
            text=str(message.get("content") or ""),
            finish_reason=choice.get("finish_reason"),
            output_tokens=int(tokens) if tokens is not None else None,
        )
    except TimeoutError:
        return Reply(error=f"timeout after {allowed_s:.0f} s", kind=ErrorKind.TIMEOUT)
    except aiohttp.ClientConnectorError as exc:
        return Reply(error=f"connection refused: {exc.os_error or exc}", kind=ErrorKind.REFUSED)
    except (aiohttp.ClientError, ConnectionError) as exc:
        error = f"connection lost: {type(exc).__name__}"
        return Reply(error=error, kind=ErrorKind.CONNECTION_LOST)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        error = f"malformed response: {type(exc).__name__}"
        return Reply(error=error, kind=ErrorKind.MALFORMED)


class Checkpoint:
    """Per-question outcomes in a JSONL file; the newest line for an id wins."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    def load(self) -> dict[str, Outcome]:
        """Outcomes kept by an earlier run with the same key (empty if none or another key)."""
        if not self.path.is_file():
            return {}
        out: dict[str, Outcome] = {}
        with self.path.open(encoding="utf-8") as f:
            lines = iter(f)
            head = json.loads(next(lines, "{}") or "{}")
            if head.get("checkpoint") != self.key:
                return {}
            for line in lines:
                with contextlib.suppress(ValueError, TypeError):
                    fields = json.loads(line)
                    kind = fields.pop("kind", None)
                    o = Outcome(**fields, kind=None if kind is None else ErrorKind(kind))
                    out[o.id] = o
        return out

    @contextlib.contextmanager
    def writer(self, fresh: bool, header: dict[str, str]) -> Iterator[Callable[[Outcome], None]]:
        """Append outcomes (a fresh file starts with a header line naming the key)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fresh or not self.path.is_file():
            self.path.write_text(json.dumps({"checkpoint": self.key, **header}) + "\n", "utf-8")
        with self.path.open("a", encoding="utf-8") as f:

            def write(o: Outcome) -> None:
                f.write(json.dumps(asdict(o)) + "\n")
                f.flush()

            yield write


@dataclass
class RunConfig:
    """Where and how to ask."""

    session: aiohttp.ClientSession
    url: str
    model: str
    concurrency: int = 8
    timeout: float = 1800.0
    on_progress: ProgressCallback | None = None


def _graded(
    task: Task, item: Item, reply: Reply, seconds: float, ok: bool, got: str | None
) -> Outcome:
    failed = reply.error is not None
    error = reply.error
    if task.private and error:
        error = error.split(":")[0]  # the server might echo the question in its message
    return Outcome(
        id=item.id,
        correct=ok and not failed,
        extracted=None if failed else got,
        finish_reason=reply.finish_reason,
        failed=failed,
        error=error,
        output_tokens=reply.output_tokens,
        seconds=round(seconds, 3),
        tail=None if task.private or failed else reply.text[-160:],
        kind=reply.kind,
    )


async def run_task(cfg: RunConfig, task: Task, ckpt: Checkpoint, resume: bool) -> TaskResult:
    """Ask what the checkpoint lacks (failed requests are asked again), grade, record, total."""
    kept = ckpt.load() if resume else {}
    done = {i: o for i, o in kept.items() if not o.failed}
    todo = [it for it in task.items if it.id not in done]
    report = cfg.on_progress or (lambda event: None)
    report(TaskStarted(task, len(task.items) - len(todo)))
    queue: asyncio.Queue[Item] = asyncio.Queue()
    for it in todo:
        queue.put_nowait(it)
    loop = asyncio.get_running_loop()
    streak = [0]
    limit = max(8, 2 * cfg.concurrency)
    header = {"task": task.name, "protocol": PROTOCOL, "model": cfg.model}
    pool = ThreadPoolExecutor(max_workers=max(1, cfg.concurrency), thread_name_prefix="grade")

    async def worker(write: Callable[[Outcome], None]) -> None:
        while not queue.empty():
            item = queue.get_nowait()
            t0 = time.perf_counter()
            reply = await ask(cfg.session, cfg.url, cfg.model, item.prompt, task.max_tokens,
                              cfg.timeout)  # fmt: skip
            seconds = time.perf_counter() - t0
            ok, got = False, None
            if reply.error is None:
                try:
                    if task.blocking:
                        ok, got = await loop.run_in_executor(pool, task.grade, item, reply.text)
                    else:
                        ok, got = task.grade(item, reply.text)
                except GradingError as exc:
                    reply.error = f"grading failed: {exc}".replace("\n", " ")[:300]
                    reply.kind = ErrorKind.GRADING
            outcome = _graded(task, item, reply, seconds, ok, got)
            down = reply.kind is not None and reply.kind.server_gone
            streak[0] = streak[0] + 1 if down else 0
            if streak[0] >= limit:
                raise ArenaError(
                    f"{task.name}: {streak[0]} requests in a row could not reach the server "
                    f"({reply.error}); answers so far are kept, rerun with --resume"
                )
            done[item.id] = outcome
            write(outcome)
            report(Answered(task, outcome))

    t0 = time.perf_counter()
    try:
        with ckpt.writer(fresh=not resume, header=header) as write:
            workers = [
                asyncio.create_task(worker(write)) for _ in range(min(cfg.concurrency, len(todo)))
            ]
            try:
                await asyncio.gather(*workers)
            except BaseException:
                for w in workers:
                    w.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    seconds = time.perf_counter() - t0
    outcomes = [done[it.id] for it in task.items]
    return TaskResult(task=task, outcomes=outcomes, asked=len(todo), seconds=seconds)
