"""Checks before a suite: is the server there, is the model served, does it answer sanely."""

from __future__ import annotations

import aiohttp

from arena.bench.http import Timeouts, fetch_json, payload, stream_request
from arena.bench.target import Target
from arena.errors import ArenaError
from arena.sanity_rule import suspect_reason

REJECTED = (400, 422)  # HTTP statuses that mean "unknown or invalid request field"
SANITY_PROMPT = "What is the capital of France? Answer with one word."


async def served_models(
    session: aiohttp.ClientSession, base_url: str, timeouts: Timeouts | None = None
) -> list[dict[str, object]]:
    """GET /v1/models within the request timeouts; a clear error when the server is not there,
    does not answer, or is not OpenAI-compatible."""
    url = base_url.rstrip("/") + "/models"
    limits = timeouts or Timeouts()
    try:
        status, data = await fetch_json(session, url, limits)
    except aiohttp.ClientConnectorError as exc:
        raise ArenaError(f"{url}: cannot connect ({exc.os_error}); is the server running?") from exc
    except aiohttp.ConnectionTimeoutError as exc:
        raise ArenaError(
            f"{url}: cannot connect: no connection within the connect timeout "
            "(--connect-timeout); is the host reachable?"
        ) from exc
    except TimeoutError as exc:
        raise ArenaError(
            f"{url}: no answer within {limits.answer:g} s (--connect-timeout "
            f"{limits.connect:g} + --first-token-timeout {limits.first_token:g}); "
            "is it an OpenAI-compatible server?"
        ) from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise ArenaError(f"{url}: {type(exc).__name__}: {exc}") from exc
    if status == 404:
        raise ArenaError(f"{url}: HTTP 404; {v1_hint(base_url)}")
    if status != 200:
        raise ArenaError(f"{url}: HTTP {status}; expected the OpenAI model list")
    models = data.get("data") if isinstance(data, dict) else None
    if not isinstance(models, list):
        raise ArenaError(f"{url}: no 'data' list in the response; expected the OpenAI model list")
    return [m for m in models if isinstance(m, dict)]


def v1_hint(base_url: str) -> str:
    """What a 404 on the first request most often means: the base URL lacks /v1."""
    base = base_url.rstrip("/")
    if base.endswith("/v1"):
        return "expected the OpenAI API under --base-url (ending in /v1)"
    return f"--base-url usually ends in /v1: try --base-url {base}/v1"


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
    if res.status == 404:  # the model list answered, generation is not where we send it
        hint = v1_hint(t.models_url.removesuffix("/models"))
        raise ArenaError(f"{t.url}: HTTP 404 on the first generation request; {hint}")
    if not res.ok:
        return f"sanity request failed: {res.error}", ""
    return suspect_reason(res.text), res.text
