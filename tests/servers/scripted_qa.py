"""A scripted OpenAI-compatible server that answers a KNOWN set of questions right.

Each prompt falls in a bucket (sha256 of the prompt, mod 100) and the bucket decides the reply:
correct "...\\nAnswer: X", a wrong letter, a garbled reply without "Answer:", a long ramble that
ends with the right answer (cut off, finish_reason "length", when max_tokens is too small), or
HTTP 500. The server parses the lettered options from the prompt; the gold letters come from an
answer key (prompt -> letter) the test builds with the same code `arena eval` uses. For HumanEval
prompts it answers with the canonical solution in a ```python block, or a wrong body. Tokens are
whitespace words. `fail_status=500` makes every chat completion fail with that status (a broken
server). Runs in a background thread: `with ScriptedQA(key) as srv: srv.base_url`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Behaviour = Literal["correct", "wrong", "garbled", "ramble", "http500"]
MODEL = "scripted-qa"
RAMBLE_WORDS = 120  # the ramble needs more than this many tokens to reach its answer
DEFAULT_RULES: tuple[tuple[int, Behaviour], ...] = (
    (60, "correct"),
    (75, "wrong"),
    (82, "garbled"),
    (90, "ramble"),
    (95, "http500"),
    (100, "correct"),
)
OPTION_RE = re.compile(r"^([A-J])\) ", re.MULTILINE)


def bucket(text: str) -> int:
    """0..99 from the text's sha256: the deterministic script key."""
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % 100


def behaviour(text: str, rules: tuple[tuple[int, Behaviour], ...] = DEFAULT_RULES) -> Behaviour:
    """What the server does with this prompt (or HumanEval task id)."""
    b = bucket(text)
    return next(kind for upper, kind in rules if b < upper)


def expected_correct(kind: Behaviour, max_tokens: int) -> bool:
    """Whether the grader should count this reply as right under a token budget."""
    return kind == "correct" or (kind == "ramble" and max_tokens > RAMBLE_WORDS + 1)


@dataclass
class Stats:
    """What the server saw."""

    requests: int = 0
    active: int = 0
    max_active: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ScriptedQA:
    """The server; `answers` maps a prompt to its gold letter, `problems` HumanEval by task id."""

    def __init__(
        self,
        answers: dict[str, str] | None = None,
        problems: list[Any] | None = None,
        rules: tuple[tuple[int, Behaviour], ...] = DEFAULT_RULES,
        delay: float = 0.0,
        fail_status: int | None = None,
    ) -> None:
        self.answers = {
            hashlib.sha256(p.encode()).hexdigest(): g for p, g in (answers or {}).items()
        }
        self.problems = problems or []
        self.rules = rules
        self.delay = delay
        self.fail_status = fail_status
        self.stats = Stats()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """OpenAI-compatible base URL ending in /v1."""
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> ScriptedQA:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test output must not carry prompts."""

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/v1/chat/completions":
                    self._json(404, {"error": "not found"})
                    return
                status, obj = server.complete(body)
                self._json(status, obj)

            def _json(self, status: int, obj: Any) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- the script --------------------------------------------------------------------------

    def complete(self, body: dict[str, Any]) -> tuple[int, Any]:
        """Status and JSON for one chat completion request."""
        import time

        with self.stats.lock:
            self.stats.requests += 1
            self.stats.active += 1
            self.stats.max_active = max(self.stats.max_active, self.stats.active)
            self.stats.bodies.append({k: v for k, v in body.items() if k != "messages"})
        try:
            if self.delay:
                time.sleep(self.delay)
            if self.fail_status is not None:
                return self.fail_status, {"error": {"message": "scripted outage"}}
            prompt = str(body["messages"][-1]["content"])
            problem = self._problem(prompt)
            if problem is not None:
                text = self._code(problem)
            else:
                kind = behaviour(prompt, self.rules)
                if kind == "http500":
                    return 500, {"error": {"message": "scripted failure"}}
                text = self._letter_reply(prompt, kind)
            words = text.split(" ")
            budget = int(body.get("max_tokens") or 10**6)
            finish = "stop"
            if len(words) > budget:
                words, finish = words[:budget], "length"
            return 200, {
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "model": MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": " ".join(words)},
                        "finish_reason": finish,
                    }
                ],
                "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(words)},
            }
        finally:
            with self.stats.lock:
                self.stats.active -= 1

    def _letter_reply(self, prompt: str, kind: Behaviour) -> str:
        letters = OPTION_RE.findall(prompt)
        gold = self.answers.get(hashlib.sha256(prompt.encode()).hexdigest())
        if not letters or gold is None:
            return "I do not know this question."
        wrong = letters[(letters.index(gold) + 1) % len(letters)]
        if kind == "wrong":
            return f"Let me think about the options.\nAnswer: {wrong}"
        if kind == "garbled":
            return f"It could be {gold} or maybe {wrong}, hard to say."
        if kind == "ramble":
            return " ".join(["hmm"] * RAMBLE_WORDS) + f"\nAnswer: {gold}"
        return f"Considering each option in turn.\n**Answer:** {gold}"

    def _problem(self, prompt: str) -> Any | None:
        for p in self.problems:
            if p.prompt.strip() in prompt:
                return p
        return None

    def _code(self, problem: Any) -> str:
        if behaviour(problem.task_id, self.rules) == "correct":
            body = problem.canonical_solution
        else:
            body = "    return None\n"
        return f"Here is the function.\n\n```python\n{problem.prompt}{body}\n```\n"
