"""The offline snapshot file: nothing to load from anywhere, every view's ranking inside, credit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from arena.catalog import load_catalog
from arena.errors import ArenaError
from arena.store import Store
from arena.web import render_snapshot
from tests.conftest import Outcome

PAYLOAD = re.compile(r'<script type="application/json" id="arena-snapshot">(.*?)</script>', re.S)


class Refs(HTMLParser):
    """Every src/href of the document's own tags (script bodies are not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href"):
                self.refs.append((tag, name, value or ""))
        if tag == "script":
            self.scripts.append(dict(attrs))


def payload(doc: str) -> dict[str, Any]:
    found = PAYLOAD.search(doc)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.fixture(scope="module")
def doc(seeded_template: Path) -> str:
    store = Store.open(str(seeded_template))
    try:
        return render_snapshot(store)
    finally:
        store.close()


def test_the_file_loads_nothing(doc: str) -> None:
    refs = Refs()
    refs.feed(doc)
    # only in-page anchors and data: URIs; no script by src, no stylesheet link
    assert refs.refs
    outside = [r for r in refs.refs if not r[2].startswith(("#", "data:"))]
    assert outside == []
    assert all("src" not in s for s in refs.scripts)
    assert '<link rel="stylesheet"' not in doc
    # the chart library itself is inline
    assert "window.Plotly" in doc
    assert len(doc) > 1_000_000


def test_every_view_the_page_switches_to_is_embedded(doc: str) -> None:
    data = payload(doc)
    cat = load_catalog()
    suites = [s["id"] for s in data["summary"]["suites"]]
    assert data["summary"]["suite"] in suites
    assert sorted(data["boards"]) == sorted(suites) == ["v1", "v2"]
    for suite in suites:
        assert sorted(data["boards"][suite]) == sorted(cat.presets)
        for preset, by_bucket in data["boards"][suite].items():
            assert sorted(by_bucket) == sorted(cat.buckets)
            assert {b["suite"] for b in by_bucket.values()} == {suite}
            assert all(b["preset"] == preset for b in by_bucket.values())
    assert [p["id"] for p in data["presets"]] == list(cat.presets)


def test_the_default_view_matches_the_cli_leaderboard(
    doc: str, seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    data = payload(doc)
    default = data["summary"]["suite"]
    out = arena_main("leaderboard", "--format", "json", "--db", seeded_db)
    cli = json.loads(out.stdout)
    embedded = data["boards"][default]["aggregate"]["all"]
    assert [(r["model"], r["score"]) for r in embedded["rows"]] == [
        (r["model"], r["score"]) for r in cli["rows"]
    ]
    assert len(embedded["rows"]) > 1


def test_attribution_is_in_the_markup_not_only_in_the_data(doc: str) -> None:
    footer = doc[doc.index('<p id="snapshot-note">') :]
    assert "Django de Vreng" in footer[: footer.index("</p>")]


def test_one_suite_only(seeded_template: Path) -> None:
    store = Store.open(str(seeded_template))
    try:
        data = payload(render_snapshot(store, "v1"))
        with pytest.raises(ArenaError, match="unknown suite 'v9'"):
            render_snapshot(store, "v9")
    finally:
        store.close()
    assert list(data["boards"]) == ["v1"]
    assert data["summary"]["suite"] == "v1"
    assert [s["id"] for s in data["summary"]["suites"]] == ["v1"]


def test_cli_writes_the_file(
    seeded_db: str, tmp_path: Path, arena_main: Callable[..., Outcome]
) -> None:
    target = tmp_path / "board.html"
    out = arena_main("export", "--format", "html", "-o", str(target), "--db", seeded_db)
    assert out.code == 0, out.stderr
    assert f"({target.stat().st_size:,} bytes, format html)" in out.stderr
    assert payload(target.read_text("utf-8"))["summary"]["suites"]


def test_live_only_controls_are_hidden_and_said(doc: str) -> None:
    """Weights and the VRAM budget need the scorer: hidden offline, and the footer says so."""
    assert '<details id="custom" hidden' in doc
    assert '<div class="switch budget" hidden' in doc
    assert "a VRAM budget, another hardware and model pages need <code>arena serve</code>" in doc
