"""A build's display name from its model id: 'openai/gpt-oss-20b' -> 'GPT-OSS 20B'."""

from __future__ import annotations

import re

# Whole tokens between '-'/'_': a size ('0.8B', '20b', '135M'), an active or effective count
# ('A3B', 'E4B'). Versions ('3.2'), dates ('2506') and bit widths ('W4A16') are not sizes.
SIZE = re.compile(r"^(?:\d+(?:\.\d+)?[mbt]|[ae]\d+(?:\.\d+)?[mb])$", re.IGNORECASE)
ACTIVE = re.compile(r"^a\d", re.IGNORECASE)
# A word with its version glued on: 'Qwen3.5', 'LFM2.5' (two letters at least, so 'v2' stays).
VERSIONED = re.compile(r"^([A-Za-z]{2,})(\d+(?:\.\d+)*)$")
# Short lower-case words that read as words, not acronyms, in an all-lower-case id.
WORDS = {"pro": "Pro", "max": "Max", "air": "Air", "mix": "Mix", "new": "New", "moe": "MoE"}
RERUN = re.compile(r"^v(\d+)$")


def _word(tok: str, all_lower: bool, after_acronym: bool) -> tuple[str, bool]:
    """One alphabetic token as shown, and whether it is an acronym (joins a neighbour by '-')."""
    low = tok.lower()
    if low == "it":
        return "IT", False
    if all_lower and low in WORDS:
        return WORDS[low], False
    no_vowel = not set(low) & set("aeiouy")
    if all_lower and ((no_vowel and len(tok) <= 5) or (after_acronym and len(tok) <= 3)):
        return tok.upper(), True
    if tok.islower():
        return tok[:1].upper() + tok[1:], False
    return tok, tok.isupper() and len(tok) > 1


def model_words(repo_name: str) -> str:
    """'gemma-4-31B-it' -> 'Gemma 4 31B IT'; 'Qwen3.6-35B-A3B' -> 'Qwen 3.6 35B-A3B'."""
    # Rules: sizes upper-case, an active count joins its total ('35B-A3B'); a version glued to
    # a word is split off ('Qwen3.5' -> 'Qwen 3.5'); 'it' is 'IT'; in an all-lower-case id a
    # word without a vowel (up to five letters), or of up to three letters right after one, is
    # an acronym ('gpt-oss' -> 'GPT-OSS', 'my-model' -> 'My Model'); other lower-case words
    # are capitalised; mixed-case words are kept as the vendor wrote them.
    all_lower = repo_name == repo_name.lower()
    out: list[str] = []
    kinds: list[str] = []  # 'size', 'acronym' or 'word' per entry of out
    for raw in re.split(r"[-_\s]+", repo_name):
        if not raw:
            continue
        pieces = [raw]
        versioned = VERSIONED.match(raw)
        if versioned and not SIZE.match(raw):
            pieces = [versioned.group(1), versioned.group(2)]
        for tok in pieces:
            if SIZE.match(tok):
                shown = tok.upper()
                if ACTIVE.match(tok) and kinds and kinds[-1] == "size":
                    out[-1] += "-" + shown
                    continue
                out.append(shown)
                kinds.append("size")
            elif tok.isalpha():
                after = bool(kinds) and kinds[-1] == "acronym"
                shown, acronym = _word(tok, all_lower, after)
                if acronym and kinds and kinds[-1] == "acronym":
                    out[-1] += "-" + shown
                    continue
                out.append(shown)
                kinds.append("acronym" if acronym else "word")
            else:
                # 'r1' in 'deepseek-r1': a letter with a model generation, upper-cased
                shown = tok.upper() if all_lower and re.fullmatch(r"[a-z]\d+", tok) else tok
                out.append(shown)
                kinds.append("word")
    return " ".join(out)


def display_name(
    repo_name: str, precision: str, folder: str, version: str | None, spec: str | None
) -> str:
    """'Gemma 4 26B-A4B IT · BF16 + MTP · vLLM 0.23': words, precision, speculative decoding."""
    # A '-vNN' folder is another server config of the same model; it says 'vLLM 0.NN' when
    # the run's engine is that version (suite v1's reruns), else the folder's 'vNN' itself.
    label = precision.upper()
    if spec is not None:
        label += " + MTP" if spec == "mtp" else " + spec"
    parts = [model_words(repo_name), label]
    for tok in folder.split("-")[1:]:
        rerun = RERUN.match(tok)
        if rerun is None:
            continue
        short = ".".join(version.split(".")[:2]) if version else None
        if short is not None and short.replace(".", "").lstrip("0") == rerun.group(1):
            parts.append(f"vLLM {short}")
        else:
            parts.append(tok)
    return " · ".join(parts)
