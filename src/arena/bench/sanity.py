"""Checks before a suite: is the server there, is the model served, does it answer sanely."""

from __future__ import annotations

import re
from collections import Counter

import aiohttp

from arena.bench.http import payload, stream_request
from arena.bench.target import Target
from arena.errors import ArenaError

REJECTED = (400, 422)  # HTTP statuses that mean "unknown or invalid request field"
SANITY_PROMPT = "What is the capital of France? Answer with one word."

_SPECIAL = re.compile(
    r"<\|[^|<>\s]{1,40}\|>"  # <|endoftext|>, <|im_end|>
    r"|</?(?:s|unk|pad|mask|eos|bos|sep|cls)>"  # <unk>, </s>, <pad>
    r"|\[(?:UNK|PAD|MASK|SEP|CLS|EOS|BOS)\]"  # [PAD], [UNK]
    r"|<0x[0-9A-Fa-f]{2}>",  # undecoded byte-fallback tokens
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_MARKUP = str.maketrans("", "", "*_`#")  # markdown emphasis is not a repeated token
_SCRIPTS = (
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("greek", re.compile(r"[\u0370-\u03ff]")),
    ("cjk", re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")),
    ("arabic", re.compile(r"[\u0600-\u06ff]")),
    ("hebrew", re.compile(r"[\u0590-\u05ff]")),
    ("devanagari", re.compile(r"[\u0900-\u097f]")),
    ("thai", re.compile(r"[\u0e00-\u0e7f]")),
)
_CODEISH = re.compile(r"[a-z][A-Z]|[A-Za-z][._/\\@#$%^&*=+|~`][A-Za-z]|_\w")


async def served_models(session: aiohttp.ClientSession, base_url: str) -> list[dict[str, object]]:
    """GET /v1/models; a clear error when the server is not there or not OpenAI-compatible."""
    url = base_url.rstrip("/") + "/models"
    try:
        async with session.get(url) as resp:
            if resp.status != 200:
                raise ArenaError(f"{url}: HTTP {resp.status}; expected the OpenAI model list")
            data = await resp.json(content_type=None)
    except aiohttp.ClientConnectorError as exc:
        raise ArenaError(f"{url}: cannot connect ({exc.os_error}); is the server running?") from exc
    except aiohttp.ConnectionTimeoutError as exc:
        raise ArenaError(
            f"{url}: cannot connect: no connection within the connect timeout "
            "(--connect-timeout); is the host reachable?"
        ) from exc
    except (aiohttp.ClientError, ValueError) as exc:
        raise ArenaError(f"{url}: {type(exc).__name__}: {exc}") from exc
    models = data.get("data") if isinstance(data, dict) else None
    if not isinstance(models, list):
        raise ArenaError(f"{url}: no 'data' list in the response; expected the OpenAI model list")
    return [m for m in models if isinstance(m, dict)]


def pick_model(models: list[dict[str, object]], name: str, url: str) -> dict[str, object]:
    """The served model called `name`, or an error naming the ones that are served."""
    for m in models:
        if m.get("id") == name:
            return m
    served = ", ".join(str(m.get("id")) for m in models) or "none"
    raise ArenaError(f"--model {name!r} is not served at {url}; served models: {served}")


def _repetition(tokens: list[str]) -> str | None:
    """One token > 50 % of 4+ tokens, or a 1-3-gram repeated over most of 6+ tokens."""
    n = len(tokens)
    if n >= 4:
        tok, k = Counter(tokens).most_common(1)[0]
        if k / n > 0.5:
            return f"repeated token {tok!r} ({k} of {n})"
    if n >= 6:
        for size in (2, 3):
            grams = Counter(tuple(tokens[i : i + size]) for i in range(n - size + 1))
            gram, k = grams.most_common(1)[0]
            if k >= 3 and k * size / n >= 0.6:
                return f"repeated phrase {' '.join(gram)!r} ({k} times)"
    return None


def _word_salad(text: str) -> str | None:
    """Signs of random tokens: several writing systems mixed, or mostly code-like fragments."""
    scripts = [name for name, rx in _SCRIPTS if rx.search(text)]
    if len(scripts) >= 2:
        return "mixed scripts (" + ", ".join(scripts) + ")"
    words = text.split()
    odd = sum(1 for w in words if _CODEISH.search(w))
    if len(words) >= 3 and odd / len(words) >= 0.4:
        return f"code-like fragments ({odd} of {len(words)} words)"
    return None


def suspect_reason(text: str) -> str | None:
    """Why the answer to the sanity question shows a broken model, or None if it looks sane."""
    # Hard signs, each enough on its own: an empty answer; one repeated character; mostly
    # non-text; special tokens in the text (<unk>, [PAD], <|endoftext|>, <0x0A>); one token
    # making up over half of 4+ tokens, or a 2-3-token phrase repeated over most of the text;
    # mostly punctuation. The answer not mentioning Paris (llama-benchy's coherence test) is a
    # soft sign: a real model may think aloud, or be small and wrong, so a miss marks the run
    # "unexpected answer" only together with word-salad signs (mixed writing systems, mostly
    # code-like fragments). "Paris." or "The capital of France is Paris." pass; the tiny
    # random-weight models of the tests are expected to be suspect.
    t = text.strip()
    if not t:
        return "empty answer"
    if len(t) >= 3 and len(set(t)) == 1:
        return f"repeated character {t[0]!r}"
    printable = sum(ch.isprintable() or ch.isspace() for ch in t)
    if printable / len(t) < 0.7:
        return "mostly non-text output"
    if special := _SPECIAL.search(t):
        return f"special tokens in the answer ({special.group(0)!r})"
    tokens = [w.lower() for w in _TOKEN.findall(t.translate(_MARKUP))]
    if rep := _repetition(tokens):
        return rep
    alnum = sum(ch.isalnum() for ch in t)
    if len(tokens) >= 3 and alnum / len(t.replace(" ", "")) < 0.3:
        return "mostly punctuation"
    if "paris" not in t.lower() and (salad := _word_salad(t)):
        return f"unexpected answer (no 'Paris'; {salad})"
    return None


async def probe_force_length(t: Target) -> str | None:
    """Does the server accept ignore_eos/min_tokens? If it rejects them, stop sending them."""
    # A rejection is HTTP 400 (vLLM, llama.cpp) or 422 (validating frameworks such as FastAPI).
    body = payload(t.model, t.endpoint, "Count: one two three", 4, force_length=True)
    res = await stream_request(t.session, t.url, body, t.timeouts)
    if res.status in REJECTED:
        t.force_length = False
        return f"server rejects ignore_eos/min_tokens (HTTP {res.status}); output length not forced"
    return None


async def sanity_check(t: Target) -> tuple[str | None, str]:
    """One short deterministic question before the suite; (reason if suspect, the answer)."""
    body = payload(t.model, t.endpoint, SANITY_PROMPT, 16, force_length=False)
    res = await stream_request(t.session, t.url, body, t.timeouts)
    if not res.ok:
        return f"sanity request failed: {res.error}", ""
    return suspect_reason(res.text), res.text
