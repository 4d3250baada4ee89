"""A real llama.cpp server (xllamacpp) on the tiny generated GGUF and on SmolLM2-135M: the facts
`arena bench` relies on (SSE shapes, usage, ignore_eos, /tokenize), checked against the real thing.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arena.bench.http import RequestResult, Timeouts, make_session, stream_request
from tests.servers.llamacpp import (
    LlamaCppServer,
    LlamaCppServerError,
    get_json,
    post_json,
    smollm2_llamacpp_server,
    stream_sse,
    tiny_llamacpp_server,
)
from tests.servers.tiny_gguf import write_tiny_llama_gguf

pytestmark = pytest.mark.slow

LONG_TEXT = (
    "The quick brown fox jumps over the lazy dog while the arena measures how fast a small "
    "model answers. Each request streams tokens back as server-sent events, one per token. "
) * 4


@pytest.fixture(scope="module", params=["tiny", "smollm2"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LlamaCppServer]:
    """A running llama.cpp server: the tiny random GGUF, then SmolLM2-135M-Instruct (1 thread)."""
    if request.param == "tiny":
        with tiny_llamacpp_server(tmp_path_factory.mktemp("tiny")) as srv:
            yield srv
    else:
        with smollm2_llamacpp_server() as srv:
            yield srv


def _chunks(events: list[tuple[float, str]]) -> list[dict[str, Any]]:
    assert events, "no SSE data events"
    assert events[-1][1] == "[DONE]"
    return [json.loads(data) for _, data in events[:-1]]


def test_starts_fast_and_lists_alias(server: LlamaCppServer) -> None:
    assert server.startup_seconds is not None  # how fast: benchmarks/bench_smoke_smollm2.py
    assert server.base_url == server.root_url + "/v1"
    assert server.root_url.startswith("http://127.0.0.1:")
    models = get_json(server.base_url + "/models")
    assert [m["id"] for m in models["data"]] == [server.alias]
    assert models["data"][0]["meta"]["n_ctx"] == server.n_ctx  # kv_unified: one request may use all
    assert get_json(server.root_url + "/health") == {"status": "ok"}


def test_chat_stream_shape(server: LlamaCppServer) -> None:
    body = {
        "model": server.alias,
        "messages": [{"role": "user", "content": "Say hello."}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 8,
        "ignore_eos": True,
        "temperature": 0,  # sampled, SmolLM2 opens 13 % of answers with an emoji (test below)
    }
    chunks = _chunks(stream_sse(server.base_url + "/chat/completions", body))
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    # 1. a role-only first chunk (content null): it carries no generated text.
    first = chunks[0]
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": None}
    # 2. one chunk per token with delta.content, 3. a finish chunk with an empty delta,
    # 4. a usage chunk with choices == [] (plus llama.cpp's own "timings").
    texts = [c for c in chunks[1:] if c["choices"] and c["choices"][0]["delta"].get("content")]
    finish = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finish) == 1
    assert finish[0]["choices"][0] == {"finish_reason": "length", "index": 0, "delta": {}}
    last = chunks[-1]
    assert last["choices"] == []
    assert last["usage"]["completion_tokens"] == 8
    assert last["usage"]["prompt_tokens"] > 0
    assert last["timings"]["predicted_n"] == 8
    assert 1 <= len(texts) <= 8
    assert all(c["id"] == first["id"] for c in chunks)


def test_no_role_chunk_when_the_first_token_is_part_of_a_character() -> None:
    """llama.cpp attaches the role chunk to token 1's text; when token 1 is only the first bytes
    of a UTF-8 character (an emoji), nothing is sent for it, and no role chunk at all. Found by CI:
    150 sampled answers to "Say hello." had no role chunk 20 times, each opening with an emoji.
    The bench takes TTFT from the first text either way, and ttfr equals it here."""
    body = {
        "messages": [{"role": "user", "content": "Reply with only an emoji."}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 4,
        "ignore_eos": True,
        "temperature": 0,
    }
    with smollm2_llamacpp_server(n_parallel=1) as server:
        body["model"] = server.alias
        chunks = _chunks(stream_sse(server.base_url + "/chat/completions", body))
        url = server.base_url + "/chat/completions"

        async def one() -> RequestResult:
            async with make_session(None, Timeouts()) as session:
                return await stream_request(session, url, body, Timeouts())

        res = asyncio.run(one())
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert all("role" not in d for d in deltas)
    first = deltas[0]["content"]
    assert len(first) == 1
    assert len(first.encode()) == 4  # one character from several tokens
    assert chunks[-1]["usage"]["completion_tokens"] == 4
    assert res.error is None
    assert res.text.startswith(first)
    assert res.output_tokens == 4
    assert res.token_source == "usage"
    assert res.ttft is not None
    assert res.ttfr == res.ttft


def test_role_chunk_arrives_with_first_token_not_before_prefill(server: LlamaCppServer) -> None:
    body = {
        "model": server.alias,
        "messages": [{"role": "user", "content": LONG_TEXT}],
        "stream": True,
        "max_tokens": 2,
        "ignore_eos": True,
        "cache_prompt": False,
        "temperature": 0,
    }
    events = stream_sse(server.base_url + "/chat/completions", body)
    chunks = _chunks(events)
    assert chunks[0]["choices"][0]["delta"].get("role") == "assistant"
    role_at, first_text_at = events[0][0], events[1][0]
    assert "content" in chunks[1]["choices"][0]["delta"]
    # llama.cpp sends the role chunk after prompt processing, right before the first token.
    assert first_text_at - role_at < 0.5


@pytest.mark.parametrize("max_tokens", [1, 33])
def test_ignore_eos_generates_exactly_max_tokens(server: LlamaCppServer, max_tokens: int) -> None:
    body = {
        "model": server.alias,
        "messages": [{"role": "user", "content": "Answer with one word: OK"}],
        "max_tokens": max_tokens,
        "ignore_eos": True,
        "temperature": 0,
    }
    answer = post_json(server.base_url + "/chat/completions", body)
    assert answer["usage"]["completion_tokens"] == max_tokens
    assert answer["choices"][0]["finish_reason"] == "length"


def test_min_tokens_is_accepted_but_not_honoured() -> None:
    """llama.cpp has no `min_tokens` (a vLLM parameter): it is silently ignored; use ignore_eos."""
    with smollm2_llamacpp_server(n_parallel=1) as server:
        body = {
            "model": server.alias,
            "messages": [{"role": "user", "content": "Answer with one word: OK"}],
            "max_tokens": 64,
            "min_tokens": 64,
            "temperature": 0,
        }
        answer = post_json(server.base_url + "/chat/completions", body)
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert answer["usage"]["completion_tokens"] < 64


def test_tokenize_at_root_gives_exact_prompt_lengths(server: LlamaCppServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as not_found:
        post_json(server.base_url + "/tokenize", {"content": "hello"})
    assert not_found.value.code == 404
    not_found.value.close()

    answer = post_json(server.root_url + "/tokenize", {"content": LONG_TEXT})
    assert set(answer) == {"tokens"}
    ids = answer["tokens"]
    assert all(isinstance(t, int) for t in ids)
    assert len(ids) > 100
    pieces = post_json(server.root_url + "/tokenize", {"content": "hello", "with_pieces": True})
    assert all(set(p) == {"id", "piece"} for p in pieces["tokens"])

    # The server counts a prompt exactly as POST /tokenize with add_special=true does (BOS where
    # the model adds one: the tiny SPM model does, SmolLM2 does not).
    text = server.detokenize(ids[:100])
    n = len(server.tokenize(text))
    assert n in (100, 101)  # SPM detokenizes a leading "▁" to a space, which re-tokenizes apart
    specials = len(server.tokenize(text, add_special=True)) - n
    assert specials == (1 if server.alias == "tiny-llama" else 0)
    body = {"model": server.alias, "prompt": text, "max_tokens": 1}
    answer = post_json(server.base_url + "/completions", body)
    assert answer["usage"]["prompt_tokens"] == n + specials


def test_completions_stream_shape(server: LlamaCppServer) -> None:
    body = {
        "model": server.alias,
        "prompt": "Once upon a time",
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 6,
        "ignore_eos": True,
        "temperature": 0,
    }
    chunks = _chunks(stream_sse(server.base_url + "/completions", body))
    assert all(c["object"] == "text_completion" for c in chunks)
    # No role chunk here: every chunk but the last carries one token's text; the last has
    # text "", the finish_reason and the usage together (no separate choices == [] chunk).
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    assert all(c["choices"][0]["text"] for c in chunks[:-1])
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "length"
    assert last["choices"][0]["text"] == ""
    assert last["usage"]["completion_tokens"] == 6
    assert len(chunks) - 1 <= 6


def test_parallel_streams_are_served_concurrently(server: LlamaCppServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = {
        "model": server.alias,
        "messages": [{"role": "user", "content": "Count to ten."}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 16,
        "ignore_eos": True,
    }
    with ThreadPoolExecutor(max_workers=server.n_parallel) as pool:
        results = list(
            pool.map(
                lambda _: _chunks(stream_sse(server.base_url + "/chat/completions", body)),
                range(server.n_parallel),
            )
        )
    assert [r[-1]["usage"]["completion_tokens"] for r in results] == [16] * server.n_parallel


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def test_stop_leaves_no_process_and_frees_the_port(tmp_path: Path) -> None:
    with tiny_llamacpp_server(tmp_path, n_parallel=1) as server:
        pid, root = server.pid, server.root_url
        assert pid is not None
        assert server.running
    assert not server.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not _port_open(root)
    assert "listening on" in server.log()
    with pytest.raises(LlamaCppServerError, match="not running"):
        _ = server.base_url


def test_kill_then_requests_fail(tmp_path: Path) -> None:
    with tiny_llamacpp_server(tmp_path, n_parallel=1) as server:
        root = server.root_url
        server.kill()
        assert not server.running
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(root + "/health", timeout=2).close()


def test_broken_model_fails_with_the_server_log(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    server = LlamaCppServer(bad, "broken", start_timeout=30)
    with pytest.raises(LlamaCppServerError, match="log") as failed:
        server.start()
    assert "broken.gguf" in str(failed.value)
    assert not server.running


def test_tiny_gguf_is_deterministic_and_small(tmp_path: Path) -> None:
    a = write_tiny_llama_gguf(tmp_path / "a.gguf", seed=3)
    b = write_tiny_llama_gguf(tmp_path / "b.gguf", seed=3)
    assert a.read_bytes() == b.read_bytes()
    assert a.stat().st_size < 2_000_000
