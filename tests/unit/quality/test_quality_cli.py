"""Quality numbers: set, import (CSV/JSON), Artificial Analysis via a local fake API, preference."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from arena.cli.app import app
from tests.conftest import Outcome

runner = CliRunner()
QWEN = "Qwen/Qwen3.5-0.8B"
BUILD = "qwen-3.5-0.8b-bf16"

# A fixture built from the documented fields of GET /api/v2/data/llms/models
# (id, name, slug, evaluations.{mmlu_pro, gpqa, livecodebench, ...} as 0-1).
AA_RESPONSE: dict[str, Any] = {
    "status": 200,
    "data": [
        {
            "id": "aa-0001",
            "name": "Qwen3.5 0.8B",
            "slug": "qwen3-5-0-8b",
            "model_creator": {"id": "c1", "name": "Alibaba"},
            "evaluations": {"mmlu_pro": 0.31, "gpqa": 0.205, "livecodebench": 0.102, "hle": 0.04},
        },
        {
            "id": "aa-0002",
            "name": "Gemma 4 31B",
            "slug": "gemma-4-31b",
            "evaluations": {"mmlu_pro": 0.84, "gpqa": None},
        },
    ],
}


def run(*args: str) -> str:
    """In-process CLI call that must succeed."""
    res = runner.invoke(app, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def show_quality(db: str, build: str = BUILD) -> dict[str, list[dict[str, Any]]]:
    """Quality section of `arena show --format json`."""
    quality: dict[str, list[dict[str, Any]]] = json.loads(
        run("show", build, "--format", "json", "--db", db)
    )["quality"]
    return quality


def row(db: str, *extra: str) -> dict[str, Any]:
    """The leaderboard row of the test build."""
    rows = json.loads(run("leaderboard", "--format", "json", "--db", db, *extra))["rows"]
    found: dict[str, Any] = next(r for r in rows if r["model"] == BUILD)
    return found


def test_set_adds_numbers_with_source_and_they_feed_the_score(seeded_db: str) -> None:
    before = row(seeded_db)
    assert before["quality_kinds"]["mmlu_pro"] == "model-card"
    run(
        "quality",
        "set",
        QWEN,
        "--mmlu-pro",
        "40",
        "--gpqa",
        "30",
        "--source",
        "https://example.org/card",
        "--kind",
        "imported",
        "--date",
        "2026-11-01",
        "--db",
        seeded_db,
    )
    q = show_quality(seeded_db)
    imported = [e for e in q["mmlu_pro"] if e["kind"] == "imported"]
    assert imported[0]["value"] == 40
    assert imported[0]["source"] == "https://example.org/card"
    assert [e["value"] for e in q["gpqa_diamond"] if e["kind"] == "imported"] == [30]
    assert imported[0]["retrieved"] == "2026-11-01"
    after = row(seeded_db)
    assert after["quality_kinds"]["mmlu_pro"] == "imported"
    assert after["quality_parts"]["mmlu_pro"] == 40


def test_set_reads_fractions_together_and_refuses_mixed_scales_and_bad_dates(
    seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    base = ("quality", "set", QWEN, "--source", "https://example.org/x", "--db", seeded_db)
    run(*base, "--mmlu-pro", "0.5", "--gpqa", "1", "--kind", "artificial-analysis")
    q = show_quality(seeded_db)
    assert [e["value"] for e in q["gpqa_diamond"] if e["kind"] == "artificial-analysis"] == [100]
    assert [e["value"] for e in q["mmlu_pro"] if e["kind"] == "artificial-analysis"] == [50]
    mixed = arena_main(*base, "--mmlu-pro", "70.7", "--humaneval", "0.5")
    assert mixed.code == 1
    assert (
        mixed.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "--humaneval = '0.5'; expected all values 0-1 or all 0-100 (this command has values "
            "above 1)"
        )
    )
    bad_date = arena_main(*base, "--mmlu-pro", "70", "--date", "notadate")
    assert bad_date.code == 1
    assert "--date = 'notadate'; expected an ISO date YYYY-MM-DD" in bad_date.stderr


def test_prefer_option_chooses_the_kind_per_metric(
    seeded_db: str, arena_main: Callable[..., Outcome]
) -> None:
    run(
        "quality",
        "set",
        QWEN,
        "--mmlu-pro",
        "40",
        "--source",
        "x",
        "--kind",
        "imported",
        "--db",
        seeded_db,
    )
    assert row(seeded_db, "--prefer", "model-card")["quality_kinds"]["mmlu_pro"] == "model-card"
    r = row(seeded_db, "--prefer", "mmlu_pro=model-card")
    assert r["quality_kinds"]["mmlu_pro"] == "model-card"
    res = arena_main("leaderboard", "--prefer", "mmlu_pro=guess", "--db", seeded_db)
    assert res.code == 1
    assert "--prefer 'mmlu_pro=guess'" in res.stderr


def test_import_csv_fractions_and_json_percent(seeded_db: str, tmp_path: Path) -> None:
    csv_file = tmp_path / "q.csv"
    csv_file.write_text(
        "base_model,metric,value,source,date\n"
        f"{QWEN},MMLU-Pro,0.33,https://example.org/a,2026-11-01\n"
        f"{QWEN},LCB,0.12,https://example.org/a,2026-11-01\n"
    )
    run("quality", "import", str(csv_file), "--db", seeded_db)
    q = show_quality(seeded_db)
    assert [e["value"] for e in q["mmlu_pro"] if e["kind"] == "imported"] == [33]
    assert [e["value"] for e in q["livecodebench"] if e["kind"] == "imported"] == [12]
    js = tmp_path / "q.json"
    js.write_text(
        json.dumps(
            [
                {
                    "base_model": QWEN,
                    "metric": "gpqa",
                    "value": 25,
                    "source": "file://lab.txt",
                }
            ]
        )
    )
    run("quality", "import", str(js), "--db", seeded_db)
    (gpqa,) = [e for e in show_quality(seeded_db)["gpqa_diamond"] if e["kind"] == "imported"]
    assert gpqa["value"] == 25
    assert gpqa["retrieved"] == dt.date.today().isoformat()  # no date given: the import day


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("base_model,metric,value,source\nA,mmlu_pro,abc,s\n", "row 2: field 'value' = 'abc'"),
        ("base_model,metric,value,source\nA,mmlu_pro,50,s\nA,bleu,5,s\n", "row 3: field 'metric'"),
        ("base_model,metric,value,source\nA,mmlu_pro,150,s\n", "expected a number 0-100"),
        ("base_model,metric,value,source\nA,mmlu_pro,50,\n", "field 'source' is empty"),
        ("base_model,metric,source\nA,mmlu_pro,s\n", "header lacks column 'value'"),
        (
            "base_model,metric,value,source\nA,mmlu_pro,70.7,s\nA,gpqa,0.534,s\nA,lcb,0.2,s\n",
            "row 3: field 'value' = '0.534'; expected all values 0-1 or all 0-100",
        ),
        (
            "base_model,metric,value,source\nA,mmlu_pro,0.707,s\nA,gpqa,53.4,s\n",
            "row 2: field 'value' = '0.707'; expected all values 0-1 or all 0-100",
        ),
        (
            "base_model,metric,value,source,date\nA,mmlu_pro,50,s,2026-11-01\nA,gpqa,40,s,2026-13-01\n",
            "row 3: field 'date' = '2026-13-01'; expected an ISO date YYYY-MM-DD",
        ),
        (
            "base_model,metric,value,source,date\nA,mmlu_pro,50,s,01/11/2026\n",
            "row 2: field 'date' = '01/11/2026'; expected an ISO date YYYY-MM-DD",
        ),
    ],
)
def test_bad_rows_one_line_and_nothing_written(
    seeded_db: str, tmp_path: Path, content: str, needle: str, arena_main: Callable[..., Outcome]
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(content)
    run("leaderboard", "--db", seeded_db)
    before = show_quality(seeded_db)
    res = arena_main("quality", "import", str(f), "--db", seeded_db)
    assert res.code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert needle in lines[0]
    assert str(f) in lines[0]
    assert show_quality(seeded_db) == before


class _FakeAA(BaseHTTPRequestHandler):
    """Artificial Analysis's models endpoint, answering only with the right x-api-key."""

    def do_GET(self) -> None:
        if self.headers.get("x-api-key") != "secret":
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps(AA_RESPONSE).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def aa_url() -> Iterator[str]:
    """A local fake of the AA API on loopback."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeAA)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v2/data/llms/models"
    server.shutdown()
    server.server_close()
    thread.join()


def test_fetch_aa_without_map_only_suggests(
    seeded_db: str, aa_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = run("quality", "fetch-aa", "--api-key", "secret", "--url", aa_url, "--db", seeded_db)
    assert "aa-0001" in out
    assert "nothing written" in out
    assert all(
        e["kind"] != "artificial-analysis" for v in show_quality(seeded_db).values() for e in v
    )


def test_fetch_aa_with_map_stores_numbers_and_attribution(
    seeded_db: str, aa_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mapping = tmp_path / "map.yaml"
    mapping.write_text(f"{QWEN}: aa-0001\nnot/there: aa-9999\n")
    out = run(
        "quality",
        "fetch-aa",
        "--api-key",
        "secret",
        "--url",
        aa_url,
        "--map",
        str(mapping),
        "--db",
        seeded_db,
    )
    assert "Artificial Analysis" in out
    q = show_quality(seeded_db)
    aa = {m: [e for e in v if e["kind"] == "artificial-analysis"] for m, v in q.items()}
    assert aa["mmlu_pro"][0]["value"] == 31
    assert aa["gpqa_diamond"][0]["value"] == 20.5
    assert aa["livecodebench"][0]["value"] == 10.2
    assert "no HumanEval" in aa["livecodebench"][0]["note"]
    assert aa_url in aa["mmlu_pro"][0]["source"]
    # the cached response serves a rerun without the network
    run("quality", "fetch-aa", "--cached", "--map", str(mapping), "--db", seeded_db)


def test_fetch_aa_bad_key_is_one_line(
    seeded_db: str, aa_url: str, arena_main: Callable[..., Outcome]
) -> None:
    res = arena_main(
        "quality", "fetch-aa", "--api-key", "wrong", "--url", aa_url, "--db", seeded_db
    )
    assert res.code == 1
    assert "HTTP 401 (check --api-key)" in res.stderr


def test_json_mixed_scale_and_bad_date_name_the_item(
    seeded_db: str, tmp_path: Path, arena_main: Callable[..., Outcome]
) -> None:
    """JSON rows are named by item index; a number date is not an ISO date string."""
    rows = [
        {"base_model": QWEN, "metric": "gpqa", "value": 25, "source": "s", "date": "2026-11-02"},
        {"base_model": QWEN, "metric": "mmlu_pro", "value": 0.707, "source": "s"},
    ]
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps(rows))
    dated = tmp_path / "dated.json"
    dated.write_text(json.dumps([{**rows[0], "date": 20261102}]))
    bad_scale = arena_main("quality", "import", str(mixed), "--db", seeded_db)
    bad_date = arena_main("quality", "import", str(dated), "--db", seeded_db)
    assert bad_scale.code == 1
    assert "item 1: field 'value' = 0.707; expected all values 0-1 or all 0-100" in bad_scale.stderr
    assert bad_date.code == 1
    assert "item 0: field 'date' = 20261102; expected an ISO date YYYY-MM-DD" in bad_date.stderr


def test_one_scale_files_import_and_zero_is_not_ambiguous(seeded_db: str, tmp_path: Path) -> None:
    """0-100 with a 0 in it, and dates kept as given."""
    f = tmp_path / "q.csv"
    f.write_text(
        "base_model,metric,value,source,date\n"
        f"{QWEN},mmlu_pro,70.7,s,2026-11-01\n"
        f"{QWEN},humaneval,0,s,\n"
    )
    run("quality", "import", str(f), "--db", seeded_db)
    q = show_quality(seeded_db)
    (mmlu,) = [e for e in q["mmlu_pro"] if e["kind"] == "imported"]
    (he,) = [e for e in q["humaneval"] if e["kind"] == "imported"]
    assert mmlu["value"] == 70.7
    assert he["value"] == 0


@pytest.mark.parametrize("command", ["import", "set"])
def test_kind_measured_is_refused(
    seeded_db: str, tmp_path: Path, arena_main: Callable[..., Outcome], command: str
) -> None:
    """Measured numbers only come from `arena eval`; nothing is written."""
    f = tmp_path / "q.csv"
    f.write_text(f"base_model,metric,value,source\n{QWEN},mmlu_pro,99,s\n")
    args = [str(f)] if command == "import" else [QWEN, "--mmlu-pro", "99", "--source", "s"]
    run("leaderboard", "--db", seeded_db)
    before = show_quality(seeded_db)
    res = arena_main("quality", command, *args, "--kind", "measured", "--db", seeded_db)
    lines = res.stderr.strip().splitlines()
    assert res.code == 1
    assert len(lines) == 1
    assert "measured numbers only come from `arena eval`" in lines[0]
    assert show_quality(seeded_db) == before
