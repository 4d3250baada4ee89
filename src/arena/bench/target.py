"""Where requests go: the server, its model, the timeouts; and whether the server is still there."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp

from arena.bench.http import Endpoint, Timeouts
from arena.bench.metrics import mean
from arena.bench.prompts import PromptMaker
from arena.errors import ArenaError

LATENCY_PROBES = 3  # llama-benchy --latency-mode api: the mean of 3 GET /models round trips


class ServerGone(ArenaError):
    """The server is not there any more: refused a whole bench, or went away during one."""


@dataclass
class Target:
    """Where and how to send requests."""

    session: aiohttp.ClientSession
    url: str
    model: str
    endpoint: Endpoint
    timeouts: Timeouts
    prompts: PromptMaker
    force_length: bool = True
    latency: float | None = None  # seconds, measured once (llama-benchy's --latency-mode api)

    @property
    def models_url(self) -> str:
        """GET /v1/models next to the generation URL."""
        suffix = "/chat/completions" if self.endpoint == "chat" else "/completions"
        return self.url.removesuffix(suffix) + "/models"


async def measure_latency(t: Target) -> float:
    """Mean round trip of GET /models (llama-benchy's default latency mode "api"); 0 if none."""
    times: list[float] = []
    for _ in range(LATENCY_PROBES):
        start = time.perf_counter()
        try:
            async with asyncio.timeout(t.timeouts.connect):
                async with t.session.get(t.models_url) as resp:
                    await resp.read()
        except (TimeoutError, aiohttp.ClientError, OSError):
            continue
        times.append(time.perf_counter() - start)
    return mean(times)


async def server_alive(t: Target) -> bool:
    """Does the server still answer GET /models? Any HTTP answer (or a slow one) counts."""
    try:
        async with asyncio.timeout(t.timeouts.connect):
            async with t.session.get(t.models_url) as resp:
                await resp.read()
    except TimeoutError:
        return True
    except (aiohttp.ClientError, OSError):
        return False
    return True
