"""Prompts of a target token length without a tokenizer download."""
# Token counts come from the server's /tokenize, else calibration from usage.prompt_tokens of probe
# requests, else a words-per-token guess (flagged).

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Literal

import aiohttp

from arena.bench.http import Endpoint, Timeouts, fetch_json, payload, stream_request

_WORD_TEXT = (
    "time year people way day man thing woman life child world school state family student "
    "group country problem hand part place case week company system program question work "
    "government number night point home water room mother area money story fact month lot "
    "right study book eye job word business issue side kind head house service friend father "
    "power hour game line end member law car city community name president team minute idea "
    "kid body information back parent face others level office door health person art war "
    "history party result change morning reason research girl guy moment air teacher force "
    "education river garden engine signal market window paper bridge valley forest harbor"
)
WORDS = tuple(_WORD_TEXT.split())

Method = Literal["tokenize", "usage-probe", "estimate"]
PROBE_WORDS = (50, 400)  # usage-probe calibration: two prompt sizes, a line through both


def words(rng: random.Random, n: int) -> str:
    """n pseudo-random English words, reproducible from the generator's seed."""
    return " ".join(rng.choice(WORDS) for _ in range(n))


@dataclass
class PromptMaker:
    """Turns token targets into texts; `method` says how lengths were obtained."""

    tokens_per_word: float = 1.3
    overhead: int = 0
    method: Method = "estimate"
    tokenize_url: str | None = None
    model: str = ""
    timeouts: Timeouts = field(default_factory=Timeouts)  # every /tokenize call and probe

    async def count(self, session: aiohttp.ClientSession, text: str) -> int | None:
        """Token count from /tokenize, or None when the server has none."""
        if not self.tokenize_url:
            return None
        body = {"model": self.model, "prompt": text, "content": text, "add_special_tokens": False}
        try:
            status, data = await fetch_json(session, self.tokenize_url, self.timeouts, body)
        except (TimeoutError, aiohttp.ClientError, OSError):
            return None
        if status != 200:
            return None
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if isinstance(tokens, list):
            return len(tokens)
        count = data.get("count") if isinstance(data, dict) else None
        return int(count) if isinstance(count, int) else None

    async def calibrate(
        self,
        session: aiohttp.ClientSession,
        root_url: str,
        seed: int,
        probe_url: str | None = None,
        timeouts: Timeouts | None = None,
        endpoint: Endpoint = "chat",
    ) -> None:
        """How many tokens a word is: /tokenize when the server has it, else two usage probes."""
        # Without /tokenize, two short requests (50 and 400 words, max_tokens 1, length not
        # forced) go to the endpoint the bench uses (`probe_url`, default ROOT/v1/chat/completions
        # or ROOT/v1/completions) and tokens per word and the chat-template overhead (none for
        # completions) are fitted from their `usage.prompt_tokens`. Only when the server reports
        # no usage does the 1.3 tokens/word guess remain (method "estimate").
        if timeouts is not None:
            self.timeouts = timeouts
        root = root_url.rstrip("/")
        self.tokenize_url = root + "/tokenize"
        rng = random.Random(seed)
        sample = words(rng, 2000)
        n = await self.count(session, sample)
        if n:
            self.tokens_per_word = n / 2000
            self.method = "tokenize"
            return
        self.tokenize_url = None
        path = "/v1/chat/completions" if endpoint == "chat" else "/v1/completions"
        url = probe_url or root + path
        probes: list[tuple[int, int]] = []
        for n_words in PROBE_WORDS:
            body = payload(self.model, endpoint, words(rng, n_words), 1, force_length=False)
            res = await stream_request(session, url, body, self.timeouts)
            if res.prompt_tokens is None or res.prompt_tokens <= 0:
                return
            probes.append((n_words, res.prompt_tokens))
        self.calibrate_from_usage(probes)

    def calibrate_from_usage(self, probes: list[tuple[int, int]]) -> None:
        """Fit tokens = overhead + ratio * words from (words, usage.prompt_tokens) probe pairs."""
        if len(probes) < 2:
            return
        (w1, t1), (w2, t2) = probes[0], probes[-1]
        if w2 != w1 and t2 > t1:
            self.tokens_per_word = (t2 - t1) / (w2 - w1)
            self.overhead = max(0, round(t1 - self.tokens_per_word * w1))
            self.method = "usage-probe"

    async def make(
        self,
        session: aiohttp.ClientSession,
        target: int,
        rng: random.Random,
        nonce: bool = True,
    ) -> tuple[str, int]:
        """A text of `target` tokens and its token count (exact via /tokenize, else fitted)."""
        # With `nonce` the text starts with a random number (counted as one of its words), so
        # that no two prompts share a cacheable prefix.
        target = max(1, target)
        n_words = max(1, round(target / self.tokens_per_word))
        if nonce:
            text = " ".join([str(rng.randrange(10**9)), words(rng, n_words - 1)]).strip()
        else:
            text = words(rng, n_words)
        if self.method != "tokenize":
            return text, round(len(text.split()) * self.tokens_per_word)
        for _ in range(4):
            got = await self.count(session, text)
            if got is None or got == target:
                return text, got or target
            parts = text.split()
            diff = target - got
            if diff > 0:
                parts += words(rng, max(1, math.ceil(diff / self.tokens_per_word))).split()
            else:
                drop = max(1, math.floor(-diff / self.tokens_per_word))
                parts = parts[: max(1, len(parts) - drop)]
            text = " ".join(parts)
        final = await self.count(session, text)
        return text, final or target
