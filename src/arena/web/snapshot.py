"""The offline snapshot: the leaderboard page as one HTML file that needs no server or network."""
# The page's own shell and scripts are inlined as they are; static/snapshot.js answers the
# page's API calls from the rankings embedded in the file. Rankings are computed here for every
# suite x preset x bucket rather than shipped as inputs plus a JavaScript port of the scoring,
# so the file cannot drift from `arena leaderboard` (one scoring implementation, in Python).

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from arena import __version__
from arena.errors import ArenaError
from arena.store import Store
from arena.web.assets import plotly_bytes
from arena.web.data import BoardData

STATIC = Path(str(resources.files("arena.web") / "static"))

SCRIPT = re.compile(r'<script src="/static/([\w.-]+)"[^>]*></script>')
STYLE = re.compile(r'<link rel="stylesheet" href="/static/([\w.-]+)"[^>]*>')
ICON = re.compile(r'<link rel="icon" href="/static/([\w.-]+)"[^>]*>')
FOOTER_LINKS = re.compile(r'<p><a href="/docs">.*?</p>', re.S)
# Plotly's stylesheet and its pre-script exist for the served page's CSP; a file has no CSP,
# so Plotly injects its own <style> rules as it does by default.
SERVED_ONLY = {"plotly-rules.css", "plotly-prep.js"}


def snapshot_data(data: BoardData, suite: str | None = None) -> dict[str, Any]:
    """What the page asks the API for: catalog, summary, and every ranking it can switch to
    (on each suite's default hardware; the page hides the hardware switch offline)."""
    summary: dict[str, Any] = dict(data.summary())
    if suite is not None:
        chosen = data.suite(suite)  # an unknown id is an error naming the valid ones
        summary["suite"] = chosen
        summary["suites"] = [s for s in summary["suites"] if s["id"] == chosen]
    if not summary["suites"]:
        raise ArenaError("--format html: the store holds no results; nothing to show")
    boards: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in summary["suites"]:
        sid = entry["id"]
        boards[sid] = {
            preset: {
                bucket: json.loads(data.board_bytes(preset, bucket, None, sid))
                for bucket in data.catalog.buckets
            }
            for preset in data.catalog.presets
        }
    return {
        "presets": data.presets(),
        "buckets": data.buckets(),
        "benches": data.benches(),
        "summary": summary,
        "boards": boards,
    }


def _js(text: str) -> str:
    """Script text safe inside <script>: no sequence that would end the element early."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _static(name: str) -> str:
    """One file of the page's static directory, or a clear error when the shell names another."""
    path = STATIC / name
    if not path.is_file():
        raise ArenaError(f"index.html: /static/{name} not found in {STATIC}; cannot inline it")
    return path.read_text("utf-8")


def _script(name: str, payload: str) -> str:
    """The inline form of one <script src="/static/…"> of the shell."""
    if name in SERVED_ONLY:
        return ""
    if name == "plotly.min.js":
        return f'<script id="plotly-js">{_js(plotly_bytes()[0].decode("utf-8"))}</script>'
    tag = f"<script>{_js(_static(name))}</script>"
    if name == "common.js":  # the data and the API stand-in, before any script asks for data
        return tag + payload
    return tag


def _style(name: str) -> str:
    """The inline form of one stylesheet link of the shell."""
    if name in SERVED_ONLY:
        return ""
    css = _static(name).replace("</style", "<\\/style")
    return f"<style>{css}</style>"


def _icon(name: str) -> str:
    """The favicon as a data: URI."""
    raw = base64.b64encode((STATIC / name).read_bytes()).decode("ascii")
    return f'<link rel="icon" href="data:image/svg+xml;base64,{raw}">'


def _footer(snap: dict[str, Any], now: dt.datetime) -> str:
    """The footer line that replaces the server's links: what the file is, whose data it holds."""
    notes = sorted(
        {
            str(d["attribution"])
            for d in snap["summary"]["datasets"].values()
            if d.get("attribution")
        }
    )
    data_line = f" Data: {html.escape('; '.join(notes))}." if notes else ""
    return (
        f'<p id="snapshot-note">Offline snapshot written {now:%Y-%m-%d %H:%M} UTC by The Arena '
        f"{html.escape(__version__)} (<code>arena export --format html</code>); custom weights, "
        f"a VRAM budget, another hardware and model pages need <code>arena serve</code>."
        f"{data_line}"
        '<span id="json-link" hidden></span></p>'
    )


def render_snapshot(store: Store, suite: str | None = None, now: dt.datetime | None = None) -> str:
    """The board as one self-contained HTML document (data, styles, scripts, chart library)."""
    data = BoardData(store)
    snap = snapshot_data(data, suite)
    when = now or dt.datetime.now(dt.UTC)
    blob = json.dumps(snap, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c")
    payload = (
        f'<script type="application/json" id="arena-snapshot">{blob}</script>'
        f"<script>{_js(_static('snapshot.js'))}</script>"
    )
    shell = _static("index.html")
    shell = ICON.sub(lambda m: _icon(m.group(1)), shell)
    shell = STYLE.sub(lambda m: _style(m.group(1)), shell)
    shell = SCRIPT.sub(lambda m: _script(m.group(1), payload), shell)
    shell = FOOTER_LINKS.sub(lambda _m: _footer(snap, when), shell)
    shell = shell.replace('<details id="custom"', '<details id="custom" hidden', 1)
    shell = shell.replace('<div class="switch budget"', '<div class="switch budget" hidden', 1)
    shell = shell.replace("<title>The Arena</title>", "<title>The Arena · snapshot</title>", 1)
    left = re.findall(r'(?:src|href)="/[^"]*"', shell)
    if left:
        raise ArenaError(f"index.html: {left[0]} still points at the server; cannot inline it")
    return shell
