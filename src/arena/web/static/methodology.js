// The Methodology dialog, rendered from the live preset data and the current view.
"use strict";
(function (A) {
  const SEED_EXAMPLE = { Q: 99, G: 48, E: 22 };
  const SEED_TIERS = { top: 81.1, middle: 54.0, bottom: 26.4 };
  let dialog = null, button = null, body = null;

  const f2 = (w) => (Math.round(w * 100) / 100).toFixed(2);
  const r1 = (x) => (Math.round(x * 10) / 10).toFixed(1);

  /** "score = 0.70·99 + … = 69.3 + … = 81.1" from weights and Q, G, E. */
  function worked(w, d) {
    const terms = [w.quality * d.Q, w.throughput * d.G, w.efficiency * d.E];
    const total = terms.reduce((a, b) => a + b, 0);
    return [
      `score = ${f2(w.quality)}·${r1(d.Q)} + ${f2(w.throughput)}·${r1(d.G)} + ${f2(w.efficiency)}·${r1(d.E)}`,
      `= ${terms.map(r1).join(" + ")} = ${r1(total)}`,
    ];
  }

  /** Source items: plain text, or [text, url] rendered as an outside link with ↗. */
  function sourceLine(items) {
    const out = ["→ "];
    items.forEach((item, i) => {
      if (i) out.push(" · ");
      out.push(Array.isArray(item)
        ? A.el("a", { href: item[1], target: "_blank", rel: "noopener noreferrer", text: `${item[0]} ↗` })
        : item);
    });
    return A.el("p", { class: "src" }, out);
  }

  function dimension(letter, title, text, sources) {
    return A.el("div", { class: "dim" }, [
      A.el("span", { class: "dim-letter", "aria-hidden": "true", text: letter }),
      A.el("div", {}, [A.el("h4", { text: `${letter} · ${title}` }), A.el("p", { text }), sourceLine(sources)]),
    ]);
  }

  /** The preset's benches that the suite in view has. */
  function aggIn(p, view) {
    const ids = view.suiteBenches.map((b) => b.id);
    return p.benches.filter((b) => ids.includes(b));
  }

  function benchCell(p, view) {
    const kept = aggIn(p, view);
    const what = p.measure && p.measure !== "tps_per_user" ? `${p.measure} of ` : "";
    if (!kept.length) return `${what}${p.benches.join(", ")} (not in this suite)`;
    return kept.length > 1 ? `${what}mean over ${kept.length}` : what + kept[0];
  }

  function presetTable(presets, view) {
    const head = A.el("tr", {}, ["Preset", "Q", "G", "E", "Bench"].map((h) => A.el("th", { scope: "col", text: h })));
    const rows = presets.map((p) => A.el("tr", { class: p.id === view.preset ? "current" : null }, [
      A.el("th", { scope: "row", text: p.title + (p.id === view.preset ? " (shown)" : "") }),
      A.el("td", { text: A.pct(p.weights.quality) }), A.el("td", { text: A.pct(p.weights.throughput) }),
      A.el("td", { text: A.pct(p.weights.efficiency) }),
      A.el("td", { text: benchCell(p, view) }),
    ]));
    if (view.custom) {
      const w = view.board.weights;
      rows.push(A.el("tr", { class: "current" }, [A.el("th", { scope: "row", text: "Custom (shown)" }),
        A.el("td", { text: A.pct(w.quality) }), A.el("td", { text: A.pct(w.throughput) }),
        A.el("td", { text: A.pct(w.efficiency) }), A.el("td", { text: "as preset" })]));
    }
    return A.el("table", { class: "m-table" }, [A.el("thead", {}, head), A.el("tbody", {}, rows)]);
  }

  function tiers(board) {
    const pick = (t) => board.rows.find((r) => r.tier === t);
    const item = (t, label, text) => {
      const r = pick(t);
      return A.el("li", { class: "tier-row" }, [
        A.el("span", { class: `score tier-${t}` }, [A.el("span", { class: "score-n", text: r ? A.num(r.score) : r1(SEED_TIERS[t]) }), A.el("span", { class: "tier-label", text: label })]),
        A.el("span", { text: ` ${text}` + (r ? ` (here: ${r.name})` : " (example value from the original page: no build in this tier here)") }),
      ]);
    };
    return A.el("ul", { class: "tiers" }, [
      item("top", "top", "Top 25 % of the cohort range. norm > 0.75."),
      item("middle", "middle", "Middle 50 %. 0.25 ≤ norm ≤ 0.75."),
      item("bottom", "bottom", "Bottom 25 %. norm < 0.25."),
    ]);
  }

  /** Rebuild the dialog body for the current view. */
  function render(presets, view) {
    const agg = presets.find((p) => p.id === "aggregate") || presets[0];
    const leader = view.board.rows[0];
    const bucketTitle = view.bucketTitle;
    const nBench = view.benchesTotal;
    const parts = [
      A.el("h2", { id: "m-title", text: "How the Score is computed" }),
      A.el("p", { class: "m-formula", text: "score = wq·Q + wg·G + we·E" }),
      A.el("p", { text: "Three dimensions, three weights, summed. All dimensions are cohort-relative: numbers 0–100, where 100 is the best model in the active bucket." }),
      A.el("h3", { text: "The three dimensions" }),
      dimension("Q", "Quality", "MMLU-Pro · GPQA · HumanEval/LCB (HumanEval, or LiveCodeBench where a card has no HumanEval), averaged. Normalised to cohort peak.",
        ["model cards", ["Artificial Analysis", "https://artificialanalysis.ai/"], "arena eval on your server; each number's source is linked on the model's page"]),
      dimension("G", "Throughput", `tokens/sec per user on the preset bench (or mean over the ${aggIn(agg, view).length} of this suite for ${agg.title}; a missing bench counts 0); a capacity preset ranks requests/s at a p95 TTFT limit instead. Normalised to cohort peak.`,
        [["vllm bench serve", "https://docs.vllm.ai/en/latest/cli/bench/serve.html"], ["llama-benchy", "https://github.com/eugr/llama-benchy"], "measured on the box"]),
      dimension("E", "Efficiency", "Throughput ÷ VRAM. Tokens per second per GB. Normalised to cohort peak.", ["derived · per cohort"]),
      A.el("h3", { text: view.suite ? `Benches of ${view.suite.title} (shown)` : "Benches" }),
      A.el("ol", { class: "m-benches" }, view.suiteBenches.map((b) => A.el("li", {}, [A.el("code", { text: b.id }), ` · ${b.title}`]))),
      A.el("h3", { text: "Weights per preset" }),
      presetTable(presets, view),
      A.el("h3", { text: `Example: ${agg.title}` }),
      A.el("p", { text: `Say Q=${SEED_EXAMPLE.Q}, G=${SEED_EXAMPLE.G}, E=${SEED_EXAMPLE.E} →` }),
      A.el("p", { class: "m-formula", id: "m-example" }, worked(agg.weights, SEED_EXAMPLE).map((l) => A.el("span", { class: "line", text: l }))),
    ];
    if (leader) {
      parts.push(A.el("p", { text: `Live, ${view.presetTitle} in bucket ${bucketTitle}: the leader ${leader.name} has Q=${r1(leader.Q)}, G=${r1(leader.G)}, E=${r1(leader.E)} →` }));
      parts.push(A.el("p", { class: "m-formula" }, worked(view.board.weights, leader).map((l) => A.el("span", { class: "line", text: l }))));
    }
    parts.push(
      A.el("h3", { text: "Colour codes in the Score column" }),
      tiers(view.board),
      A.el("p", { text: "Cohort-relative: norm = (score − min) / (max − min) over the visible models. Switch bucket or preset and the numbers recolour. The leader is always blue, the tail-ender always grey; each score also carries its tier as text." }),
      A.el("h3", { text: "Worth knowing" }),
      A.el("ul", {}, [
        A.el("li", {}, [A.el("strong", { text: "Cohort = bucket. " }), (bucketTitle === "All" ? `With "All", 100 is the best of every build; filter on a size bucket such as "Small (< 8B)" and 100 becomes the best in that bucket, not the global max. Score numbers between buckets are therefore not directly comparable.` : `Filter on "${bucketTitle}" and "100" is the best model in that bucket, not the global max. Score numbers between buckets are therefore not directly comparable.`)]),
        A.el("li", {}, [A.el("strong", { text: "No measurement → tps 0. " }), `Models without benchmark data stay visible with "no measurement" in the Throughput column: they score 0 on throughput and efficiency, rank below every measured model (their score is still shown), and are never on the Pareto frontier. Partly measured builds show "k/${nBench} benches" (a missing bench counts as 0 tok/s).`]),
        A.el("li", {}, [A.el("strong", { text: "Suites never mix. " }), "Each suite (v1, v2, …) is ranked on its own: a build's row shows, per bench, the newest result with a headline from that suite's runs. J/tok = mean power × bench duration ÷ output tokens, from the power telemetry of the run. A \"suspect\" badge carries the model's answer to the sanity question before the suite."]),
        A.el("li", {}, [A.el("strong", { text: "No latency gates. " }), "A slow model stays on the list, just near the bottom. No hidden SLA filter or quality-floor multiplier."]),
      ]),
    );
    A.fill(body, parts);
  }

  A.methodology = {
    init(dialogNode, openButton, bodyNode, closeButton) {
      dialog = dialogNode; button = openButton; body = bodyNode;
      button.addEventListener("click", () => { dialog.showModal(); closeButton.focus(); });
      closeButton.addEventListener("click", () => dialog.close());
      dialog.addEventListener("close", () => button.focus());
      dialog.addEventListener("click", (ev) => { if (ev.target === dialog) dialog.close(); });
    },
    render,
    worked,
  };
})(window.Arena);
