"""The rule that judges a model's answer to a short question: shared by `arena bench` and the
importers (pure: no I/O), so a measured and an imported run are judged alike."""

from __future__ import annotations

import re
from collections import Counter

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


def suspect_reason(text: str, expected: str | None = "paris") -> str | None:
    """Why an answer shows a broken model, or None if it looks sane (`expected`: see below)."""
    # Hard signs, each enough on its own: an empty answer; one repeated character; mostly
    # non-text; special tokens in the text (<unk>, [PAD], <|endoftext|>, <0x0A>); one token
    # making up over half of 4+ tokens, or a 2-3-token phrase repeated over most of the text;
    # mostly punctuation. The answer not mentioning Paris (llama-benchy's coherence test) is a
    # soft sign: a real model may think aloud, or be small and wrong, so a miss marks the run
    # "unexpected answer" only together with word-salad signs (mixed writing systems, mostly
    # code-like fragments). "Paris." or "The capital of France is Paris." pass; the tiny
    # random-weight models of the tests are expected to be suspect. `expected` is the word the
    # question's answer holds ("paris" for `arena bench`'s question); None (an imported answer
    # to another question, e.g. suite v2's "Tel van 1 tot 5.") applies the hard signs only.
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
    if expected is not None and expected not in t.lower() and (salad := _word_salad(t)):
        return f"unexpected answer (no {expected.title()!r}; {salad})"
    return None
