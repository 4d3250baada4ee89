"""Plotly's own stylesheet rules, read from the vendored bundle and served as a CSS file."""
# Plotly.js normally injects these rules through an inline <style> element, which a strict CSP
# (style-src 'self') refuses. When the page has an element with id `plotly.js-style-global` and
# class `no-inline-styles`, Plotly skips the injection; the page then links this same-origin file.

from __future__ import annotations

import json
import re
from functools import lru_cache

from arena.web.assets import plotly_bytes

MARKER = '.replace(/X/g,".js-plotly-plot .plotly").replace(/Y/g,".plotly-notifier")'
_STR = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
PAIR = re.compile(_STR + r"\s*:\s*" + _STR)


def _unquote(token: str) -> str:
    return token[1:-1].replace("\\'", "'").replace('\\"', '"')


def extract_rules(js: str) -> dict[str, str]:
    """Selector -> declarations of plotly.js's plotcss table (empty when not found)."""
    at = js.find(MARKER)
    if at < 0:
        return {}
    end = js.rfind("};for(", 0, at)
    start = js.rfind('={"X', 0, end)
    if start < 0 or end < 0:
        return {}
    body = js[start + 1 : end + 1]
    return {_unquote(k): _unquote(v) for k, v in PAIR.findall(body)}


def to_css(rules: dict[str, str]) -> str:
    """The rules with Plotly's own placeholders expanded, one per line."""
    lines = ["/* generated at run time from the vendored plotly.js bundle */"]
    for key, decl in rules.items():
        sel = re.sub(r"^,", " ,", key).replace("X", ".js-plotly-plot .plotly")
        sel = sel.replace("Y", ".plotly-notifier")
        lines.append(f"{sel}{{{decl}}}")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def plotly_css() -> str:
    """The stylesheet for /static/plotly-rules.css."""
    raw, _ = plotly_bytes()
    return to_css(extract_rules(raw.decode("utf-8")))


STYLE_ID = re.compile(
    r'getElementById\("([0-9A-Za-z_-]{16,})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@lru_cache(maxsize=1)
def prep_js() -> str:
    """A script run before plotly.js: placeholders that make it skip its load-time <style>s."""
    # The bundle carries third-party CSS (MapLibre, unused here) that it injects inline on load
    # unless an element with a fixed id exists; the ids are read from the vendored bundle.
    raw, _ = plotly_bytes()
    ids = sorted(set(STYLE_ID.findall(raw.decode("utf-8"))))
    return (
        "// generated at run time from the vendored plotly.js bundle"
        " (keeps CSP style-src 'self')\n"
        '"use strict";\n'
        f"for (const id of {json.dumps(ids)}) {{\n"
        "  if (!document.getElementById(id)) {\n"
        '    const m = document.createElement("meta");\n'
        "    m.id = id;\n"
        "    document.head.appendChild(m);\n"
        "  }\n"
        "}\n"
        "// the async bundle may load or fail before the page's deferred scripts listen for it\n"
        "// (capture on document: a load event at an element never reaches window)\n"
        'for (const [type, state] of [["load", "loaded"], ["error", "failed"]]) {\n'
        "  document.addEventListener(type, (ev) => {\n"
        '    if (ev.target && ev.target.id === "plotly-js") '
        "document.documentElement.dataset.plotly = state;\n"
        "  }, true);\n"
        "}\n"
    )
