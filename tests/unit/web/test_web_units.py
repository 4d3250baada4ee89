"""Pure pieces of the web package: weights parsing, Plotly stylesheet extraction, headers."""

from __future__ import annotations

import pytest

from arena.web.api import ApiError, parse_weights
from arena.web.app import CSP
from arena.web.plotly_shim import extract_rules, plotly_css, prep_js, to_css


def test_weights_all_or_none() -> None:
    assert parse_weights(None, None, None) is None
    w = parse_weights(60, 30, 10)
    assert w is not None
    assert (w.quality, w.throughput, w.efficiency) == pytest.approx((0.6, 0.3, 0.1))
    with pytest.raises(ApiError) as partial:
        parse_weights(60, None, 40)
    assert partial.value.status == 422
    with pytest.raises(ApiError) as bad_sum:
        parse_weights(60, 30, 30)
    assert "sum" in bad_sum.value.message


def test_rules_extracted_like_plotly_does() -> None:
    js = 'var a={"X .modebar":"position:absolute;","Y .x":\'content:"";\'};for(k in a)' + (
        'r=k.replace(/^,/," ,").replace(/X/g,".js-plotly-plot .plotly")'
        '.replace(/Y/g,".plotly-notifier")'
    )
    rules = extract_rules(js)
    assert rules == {"X .modebar": "position:absolute;", "Y .x": 'content:"";'}
    css = to_css(rules)
    assert ".js-plotly-plot .plotly .modebar{position:absolute;}" in css
    assert '.plotly-notifier .x{content:"";}' in css
    assert extract_rules("no plotly here") == {}


def test_installed_bundle_yields_rules_and_placeholders() -> None:
    assert plotly_css().count("{") > 30
    assert 'document.createElement("meta")' in prep_js()


def test_csp_is_strict_on_scripts() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe" not in directives["style-src"]


def test_rate_limit_allows_a_burst_then_names_the_wait() -> None:
    from arena.web.submit import RateLimit

    limit = RateLimit(per_minute=3)
    assert [limit.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limit.take("a")
    assert 0 < wait <= 20  # one token comes back every 60 / 3 s
    assert limit.take("b") == 0.0  # each host has its own bucket
