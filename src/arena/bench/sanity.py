"""Checks before a suite: is the server there, is the model served, does it answer sanely."""

from __future__ import annotations

import aiohttp

from arena.bench.http import payload, stream_request
from arena.bench.target import Target
from arena.errors import ArenaError
from arena.sanity_rule import suspect_reason

REJECTED = (400, 422)  # HTTP statuses that mean "unknown or invalid request field"
SANITY_PROMPT = "What is the capital of France? Answer with one word."


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
