// Shared helpers: DOM building with textContent only (never innerHTML with data), formatting.
"use strict";
window.Arena = window.Arena || {};
(function (A) {
  /** Build an element; children may be strings (inserted as text nodes) or nodes. */
  A.el = function (tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of [].concat(children || [])) {
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return node;
  };

  /** Replace all children of a node. */
  A.fill = function (node, children) {
    node.replaceChildren(...[].concat(children).filter((c) => c !== null && c !== undefined)
      .map((c) => (typeof c === "string" ? document.createTextNode(c) : c)));
  };

  /** Number with fixed decimals, or an en dash for missing values. */
  A.num = function (x, nd) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    return Number(x).toLocaleString("en-US", { minimumFractionDigits: nd ?? 1, maximumFractionDigits: nd ?? 1 });
  };

  /** Percent of a 0–1 weight, rounded to a whole number unless it has a fraction. */
  A.pct = function (w) {
    const p = Math.round(w * 1000) / 10;
    return (Number.isInteger(p) ? String(p) : p.toFixed(1)) + " %";
  };

  /** Escape text for Plotly's pseudo-HTML labels (it decodes entities back for display). */
  A.esc = function (s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  };

  /** GET JSON from our own API; rejects with the server's error message. */
  A.getJSON = async function (url, signal) {
    const res = await fetch(url, { headers: { accept: "application/json" }, signal });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || JSON.stringify(body.detail || body));
    return body;
  };

  /** Tier label as text: the leader overrides, then an unmeasured row reads neutral, then the
   * tail-ender overrides the norm tier. */
  A.tierLabel = function (row) {
    if (row.flags.includes("leader")) return "leader";
    if (row.flags.includes("no-measurement")) return A.NO_MEASUREMENT;
    if (row.flags.includes("tail")) return "tail";
    return row.tier;
  };

  /** The CSS class token of a tier label ("none" for an unmeasured row). */
  A.tierClass = function (label) {
    return label === A.NO_MEASUREMENT ? "none" : label;
  };

  /** Resolves once the async Plotly bundle has run (the table does not wait for it); made on
   * first use, so a page without a chart never creates a promise that rejects. An async script
   * may fail before this runs: plotly-prep.js records the outcome on <html data-plotly>. */
  let plotly = null;
  A.plotlyReady = function () {
    plotly = plotly || new Promise((resolve, reject) => {
      const ran = () => (window.Plotly ? resolve(window.Plotly) : reject(new Error("the Plotly bundle ran but defined no Plotly")));
      const failed = () => reject(new Error("could not load /static/plotly.min.js"));
      if (window.Plotly) { resolve(window.Plotly); return; }
      const tag = document.getElementById("plotly-js");
      if (!tag) { reject(new Error("no Plotly on this page")); return; }
      if (!tag.src) { reject(new Error("the inline Plotly bundle did not run")); return; }
      const seen = document.documentElement.dataset.plotly;
      if (seen === "failed") { failed(); return; }
      if (seen === "loaded") { ran(); return; }
      tag.addEventListener("load", ran);
      tag.addEventListener("error", failed);
    });
    return plotly;
  };

  A.METRICS = { mmlu_pro: "MMLU-Pro", gpqa_diamond: "GPQA Diamond", humaneval: "HumanEval/LCB (HumanEval)", livecodebench: "HumanEval/LCB (LiveCodeBench)" };
  A.NO_MEASUREMENT = "no measurement";
  /** Below this width the table is a list of cards (arena.css uses the same width). */
  A.CARDS = "(max-width: 1100px)";
  /** Row flags set when a bench the preset counts carries that verdict (arena.verdicts.Flag). */
  A.VERDICTS = [
    { flag: "unreliable", title: "More than 10 % of the requests failed in a bench this view counts" },
    { flag: "suspect", title: "The model failed the sanity question before a bench this view counts" },
  ];

  /** How a preset's G reads: headline tok/s per user, or a rate sweep's capacity in requests/s. */
  A.measureInfo = function (measure) {
    const m = /^capacity_rps_(\d+)s$/.exec(measure || "");
    if (m) return { capacity: true, unit: "rps", nd: 2, axis: `Capacity, requests/s with p95 TTFT ≤ ${m[1]} s`,
      g: `Capacity rps @${m[1]}s`, e: "Efficiency rps/GB", sub: `requests/s at p95 TTFT ≤ ${m[1]} s, % cohort-max` };
    return { capacity: false, unit: "tok/s", nd: 1, axis: "Throughput, tok/s per user",
      g: "Throughput tok/s", e: "Efficiency tok/s/GB", sub: "tokens/sec, % cohort-max" };
  };

  A.view = A.measureInfo(null);  // what G reads as on the board in view; set per leaderboard

  /** Throughput cell text: tok/s, "no measurement", or "k/9 benches" when partial. */
  A.throughputText = function (row) {
    if (row.flags.includes("no-measurement")) return A.NO_MEASUREMENT;
    let t = A.num(row.throughput_tps, A.view ? A.view.nd : 1);
    if (row.flags.includes("partial-benches")) t += ` (${row.benches_measured}/${row.benches_total} benches)`;
    return t;
  };

  /** A badge for a build whose run failed the sanity question: "suspect: <its answer>" as text. */
  A.sanityTag = function (sanity) {
    const answer = sanity.answer === null || sanity.answer === undefined ? "no answer" : String(sanity.answer);
    return A.el("span", { class: "sanity-tag", title: `Sanity question failed; the model answered: ${answer}`, text: `suspect: ${answer}` });
  };

  /** Only http(s) links from data become hrefs (no javascript: URLs). */
  A.safeHref = function (url) {
    return /^https?:\/\//i.test(String(url || "")) ? String(url) : null;
  };

  /** Short date from an ISO timestamp. */
  A.day = function (iso) {
    return iso ? String(iso).slice(0, 10) : "–";
  };
})(window.Arena);
