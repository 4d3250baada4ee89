"""The vendored Plotly partial bundle (static/vendor), gzipped once and kept in memory."""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

from fastapi.responses import Response

from arena.errors import ArenaError

JS_TYPE = "text/javascript; charset=utf-8"
VENDOR = resources.files("arena.web").joinpath("static", "vendor")


def vendor_info() -> dict[str, str]:
    """The key=value lines of static/vendor/VERSION (name, version, file, sha256, tarball)."""
    text = VENDOR.joinpath("VERSION").read_text("utf-8")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


@lru_cache(maxsize=1)
def plotly_bytes() -> tuple[bytes, bytes]:
    """Plain and gzipped plotly-basic.min.js (about 1.2 MB and 0.4 MB)."""
    info = vendor_info()
    try:
        raw = VENDOR.joinpath(info["file"]).read_bytes()
    except (KeyError, OSError) as err:
        raise ArenaError(
            f"static/vendor/VERSION: cannot read the Plotly bundle it names ({err}); "
            "re-fetch it with scripts/vendor_plotly.sh"
        ) from err
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether the header allows gzip: named (or `*`) with a q-value above 0 (RFC 9110 12.5.3)."""
    named: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        named[coding.strip()] = q
    for coding in ("gzip", "x-gzip", "*"):
        if coding in named:
            return named[coding] > 0
    return False


def plotly_response(accept_encoding: str) -> Response:
    """The bundle, compressed when the client accepts gzip; cached by the browser for a day."""
    raw, packed = plotly_bytes()
    headers = {"cache-control": "public, max-age=86400", "vary": "accept-encoding"}
    if accepts_gzip(accept_encoding):
        headers["content-encoding"] = "gzip"
        return Response(packed, media_type=JS_TYPE, headers=headers)
    return Response(raw, media_type=JS_TYPE, headers=headers)
