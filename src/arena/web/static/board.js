// The leaderboard page: state in the URL, switches, weights, chart, table, dialog, footer.
"use strict";
(function (A) {
  const $ = (id) => document.getElementById(id);
  const S = { suite: null, hw: null, preset: "aggregate", bucket: "all", custom: null, vram: null, hardware: [], presets: [], buckets: [], benches: [], summary: null, board: null };
  let seq = 0, controller = null, timer = null, early = null;

  const presetOf = (id) => S.presets.find((p) => p.id === id);
  const suiteOf = (id) => S.summary.suites.find((s) => s.id === id);
  const bucketOf = (id) => S.buckets.find((b) => b.id === id);
  /** The hardware with data in a suite, most builds first (the first is the default). */
  const hardwareOf = (id) => { const s = suiteOf(id); return (s && s.hardware) || []; };
  const presetPct = (p) => [p.weights.quality, p.weights.throughput, p.weights.efficiency].map((w) => Math.round(w * 100));

  /** Read ?suite=&hardware=&preset=&bucket=&wq=&wg=&we=&max_vram_gb= ; unknown values fall back with a visible note. */
  function readUrl() {
    const q = new URLSearchParams(location.search), notes = [];
    S.suite = q.get("suite") || S.summary.suite;
    if (S.suite !== S.summary.suite && !suiteOf(S.suite)) { notes.push(`unknown suite "${S.suite}"`); S.suite = S.summary.suite; }
    S.hw = q.get("hardware");
    if (S.hw !== null && !hardwareOf(S.suite).some((h) => h.id === S.hw)) { notes.push(`no data on hardware "${S.hw}" in suite ${S.suite}`); S.hw = null; }
    S.preset = q.get("preset") || "aggregate";
    S.bucket = q.get("bucket") || "all";
    if (!presetOf(S.preset)) { notes.push(`unknown preset "${S.preset}"`); S.preset = "aggregate"; }
    if (!bucketOf(S.bucket)) { notes.push(`unknown bucket "${S.bucket}"`); S.bucket = "all"; }
    let w = ["wq", "wg", "we"].map((k) => Number(q.get(k)));
    const given = ["wq", "wg", "we"].every((k) => q.get(k) !== null);
    const sum = w[0] + w[1] + w[2];
    if (Math.abs(sum - 1) < 1e-6) w = w.map((x) => Math.round(x * 10000) / 100);  // fractions, as the API takes them
    S.custom = given && w.every((x) => Number.isFinite(x) && x >= 0) && Math.abs(w[0] + w[1] + w[2] - 100) < 0.01 ? w : null;
    if (given && !S.custom) notes.push("custom weights must be three numbers summing to 100 (or to 1)");
    const gb = q.get("max_vram_gb");
    S.vram = gb !== null && Number(gb) > 0 && Number.isFinite(Number(gb)) ? Number(gb) : null;
    if (gb !== null && S.vram === null) notes.push("max_vram_gb must be a number of GB above 0");
    return notes;
  }

  function writeUrl(push) {
    const q = new URLSearchParams();
    if (S.suite !== S.summary.suite) q.set("suite", S.suite);
    if (S.hw) q.set("hardware", S.hw);
    if (S.preset !== "aggregate") q.set("preset", S.preset);
    if (S.bucket !== "all") q.set("bucket", S.bucket);
    if (S.custom) ["wq", "wg", "we"].forEach((k, i) => q.set(k, String(S.custom[i])));
    if (S.vram !== null) q.set("max_vram_gb", String(S.vram));
    const url = location.pathname + (q.toString() ? "?" + q : "");
    if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
  }

  function apiUrl() {
    const q = new URLSearchParams({ preset: S.preset, bucket: S.bucket });
    if (S.suite) q.set("suite", S.suite);
    if (S.hw) q.set("hardware", S.hw);
    if (S.custom) ["wq", "wg", "we"].forEach((k, i) => q.set(k, String(S.custom[i])));
    if (S.vram !== null) q.set("max_vram_gb", String(S.vram));
    return "/api/leaderboard?" + q;
  }

  /** The pill buttons; when the same pills are there already only their state changes, so the
   * pressed pill keeps keyboard focus. */
  function pills(node, items, current, pick) {
    const have = [...node.children];
    if (have.length === items.length && items.every((it, i) => have[i].dataset.id === it.id)) {
      items.forEach((it, i) => {
        have[i].setAttribute("aria-pressed", it.id === current ? "true" : "false");
        have[i].textContent = it.title;
        if (it.tip) have[i].title = it.tip; else have[i].removeAttribute("title");
      });
      return;
    }
    A.fill(node, items.map((it) => A.el("button", { type: "button", class: "pill", "aria-pressed": it.id === current ? "true" : "false",
      "data-id": it.id, text: it.title, title: it.tip, onclick: () => pick(it.id) })));
  }

  function renderSwitches() {
    pills($("suites"), S.summary.suites.map((s) => ({ id: s.id, title: `${s.id} · ${s.builds} ${s.builds === 1 ? "build" : "builds"}`, tip: s.title })), S.suite,
      (id) => { S.suite = id; if (!hardwareOf(id).some((h) => h.id === S.hw)) S.hw = null; writeUrl(true); update(); });
    // scores compare builds on one hardware: the switch appears once a suite has two or more
    // (never in the offline snapshot, which holds each suite's default hardware only)
    const hw = hardwareOf(S.suite);
    $("hw-switch").hidden = A.offline || hw.length < 2;
    pills($("hardwares"), hw.map((h) => ({ id: h.id, title: `${h.name.split(" · ")[0]} · ${h.builds} ${h.builds === 1 ? "build" : "builds"}`, tip: h.name })),
      S.hw || (hw[0] && hw[0].id), (id) => { S.hw = id === (hw[0] && hw[0].id) ? null : id; writeUrl(true); update(); });
    pills($("presets"), S.presets, S.preset, (id) => { S.preset = id; S.custom = null; writeUrl(true); update(); });
    pills($("buckets"), S.buckets, S.bucket, (id) => { S.bucket = id; writeUrl(true); update(); });
  }

  /** The budget control shows the state: a profile whose memory is the budget, the GB typed. */
  function renderBudget(board) {
    const box = S.hardware.find((h) => h.memory_gb === S.vram);
    $("budget-box").value = box ? box.id : "";
    if (document.activeElement !== $("budget-gb")) $("budget-gb").value = S.vram === null ? "" : String(S.vram);
    const n = board ? board.hidden_over_budget : 0, unknown = board ? board.unknown_vram_kept : 0;
    $("budget-note").textContent = S.vram === null ? "" :
      `${n} ${n === 1 ? "build" : "builds"} over ${S.vram} GB hidden; scores are relative to what fits` +
      (unknown ? `; ${unknown} with unknown VRAM kept` : "");
  }

  function setBudget(gb) {
    S.vram = gb > 0 && Number.isFinite(gb) ? gb : null;
    writeUrl(true);
    update();
  }

  /** The preset's benches as counted in the suite in view (what a row's k/n counts). */
  function benchLabel(p, suiteId) {
    const suite = suiteOf(suiteId);
    const kept = suite ? p.benches.filter((b) => suite.benches.includes(b)) : [];
    const ids = kept.length ? kept : p.benches;
    return ids.length > 1 ? `mean over ${ids.length} benches` : ids[0];
  }

  /** The view a model page's back link returns to: suite, preset and bucket. */
  function viewQuery(suite) {
    const q = new URLSearchParams();
    if (suite) q.set("suite", suite);
    if (S.hw) q.set("hardware", S.hw);
    if (S.preset !== "aggregate") q.set("preset", S.preset);
    if (S.bucket !== "all") q.set("bucket", S.bucket);
    if (S.vram !== null) q.set("max_vram_gb", String(S.vram));
    return q.toString();
  }

  function renderWeights(w, p) {
    const item = (wt, title, sub) => A.el("li", {}, [A.el("span", { class: "w-pct", text: A.pct(wt) }), A.el("span", { class: "w-title", text: title }), A.el("span", { class: "w-sub", text: sub })]);
    A.fill($("weights-strip"), [
      item(w.quality, "Quality", "MMLU · GPQA · HumanEval"),
      item(w.throughput, A.view.capacity ? "Capacity" : "Throughput", `${A.view.sub} · ${benchLabel(p, S.board.suite)}`),
      item(w.efficiency, "Efficiency", "throughput ÷ VRAM, % cohort-max"),
    ]);
    $("formula").textContent = `score = ${A.pct(w.quality)}·Quality + ${A.pct(w.throughput)}·Throughput + ${A.pct(w.efficiency)}·Efficiency` + (S.custom ? " (custom)" : "");
    const pct = S.custom || presetPct(p);
    ["wq", "wg", "we"].forEach((k, i) => { $(k).value = String(pct[i]); $(k + "-out").textContent = pct[i] + " %"; });
  }

  function renderHead(board) {
    const hw = S.summary.hardware;
    $("hl-models").textContent = `${board.rows.length} ${board.rows.length === 1 ? "model" : "models"}.`;
    $("hl-hw").textContent = hw.length === 1 ? `1 ${hw[0].short}.` : `${hw.length} boxes.`;
    $("hl-hw").title = hw.map((h) => h.name).join("; ");
    A.fill($("attribution"), board.attribution.length ? board.attribution.join(" · ") : "Data: your own measurements.");
    const suite = suiteOf(board.suite);
    const nBench = suite ? suite.benches.length : S.summary.benches_total;
    $("freshness").textContent = `Data freshness: latest run ${A.day(board.latest_run)} in ${suite ? suite.title : "this view"} · ${S.summary.builds} builds in the store · ${nBench} benches per build.`;
    $("json-link").href = apiUrl();
    const b = bucketOf(S.bucket), p = presetOf(S.preset);
    const on = board.hardware && hardwareOf(board.suite).length > 1 ? `${board.hardware.name} · ` : "";
    $("table-caption").textContent = `${suite ? suite.title + " · " : ""}${on}${p.title} · ${b.title} · 100 = best in this bucket`;
  }

  function viewInfo(board) {
    const suite = suiteOf(board.suite);
    const byId = Object.fromEntries(S.benches.map((b) => [b.id, b]));
    const ids = suite ? suite.benches : S.benches.map((b) => b.id);
    return { board, preset: S.preset, custom: !!S.custom, presetTitle: presetOf(S.preset).title,
      bucketTitle: bucketOf(S.bucket).title, benchesTotal: ids.length,
      suite: suite || null, suiteBenches: ids.map((id) => ({ id, title: byId[id] ? byId[id].title : id })) };
  }

  /** Fetch the ranking for the current state and redraw everything (no page reload). */
  async function update() {
    renderSwitches();
    const mine = ++seq;
    if (controller) controller.abort();
    controller = new AbortController();
    $("status").textContent = "Loading…";
    let board;
    const first = early;
    early = null;
    try { board = await (first || A.getJSON(apiUrl(), controller.signal)); } catch (err) {
      if (err.name !== "AbortError") $("status").textContent = `Could not load the leaderboard: ${err.message}`;
      return;
    }
    if (mine !== seq) return;
    S.board = board;
    A.view = A.measureInfo(board.measure);
    const p = presetOf(S.preset);
    renderWeights(board.weights, p);
    renderHead(board);
    renderBudget(board);
    A.table.draw(board.rows, board.ttft_bench, { measure: board.measure, query: viewQuery(board.suite) });
    if (!performance.getEntriesByName("table-drawn").length) performance.mark("table-drawn");
    A.methodology.render(S.presets, viewInfo(board));
    const n = board.rows.length;
    const fits = board.max_vram_gb === null ? "" : ` within ${board.max_vram_gb} GB (${board.hidden_over_budget} hidden)`;
    $("status").textContent = n ? `${n} ${n === 1 ? "build" : "builds"} ranked for ${p.title}, bucket ${bucketOf(S.bucket).title}, suite ${board.suite}${fits}.` : `No builds in this bucket${fits}.`;
    if (A.bubble.model && !board.rows.some((r) => r.model === A.bubble.model)) A.bubble.hide();
    else if (A.bubble.model) A.bubble.show(board.rows.find((r) => r.model === A.bubble.model), benchLabel(p, board.suite), viewQuery(board.suite));
    await A.chart.draw(board, benchLabel(p, board.suite));
    if (mine === seq) document.body.dataset.ready = String(mine);
  }

  function slide(i) {
    const pct = S.custom ? S.custom.slice() : presetPct(presetOf(S.preset));
    const v = Math.max(0, Math.min(100, Math.round(Number($(["wq", "wg", "we"][i]).value))));
    const [a, b] = [0, 1, 2].filter((k) => k !== i);
    const rest = 100 - v, sum = pct[a] + pct[b];
    pct[i] = v;
    pct[a] = sum > 0 ? Math.round((rest * pct[a]) / sum) : Math.round(rest / 2);
    pct[b] = rest - pct[a];
    const same = presetPct(presetOf(S.preset)).every((x, k) => x === pct[k]);
    S.custom = same ? null : pct;
    ["wq", "wg", "we"].forEach((k, j) => { $(k).value = String(pct[j]); $(k + "-out").textContent = pct[j] + " %"; });
    writeUrl(false);
    clearTimeout(timer);
    timer = setTimeout(update, 60);
  }

  /** A row picked in the table or a bubble in the chart; a bubble's details open under the
   * chart, and only a wide screen also scrolls to its table row (a phone stays on the chart). */
  function select(model, from) {
    const fromChart = from === "chart";
    A.table.highlight(model, fromChart && !matchMedia(A.CARDS).matches);
    A.chart.highlight(model);
    const row = S.board && S.board.rows.find((r) => r.model === model);
    if (fromChart && row) A.bubble.show(row, benchLabel(presetOf(S.preset), S.board.suite), viewQuery(S.board.suite));
    else if (A.bubble.model !== model) A.bubble.hide();
  }

  /** The panel's "Show in the table": select the row, scroll to it, focus it. */
  function showRow(model) {
    A.table.highlight(model, true);
    const tr = [...$("tbody").rows].find((r) => r.dataset.model === model);
    if (tr) tr.focus();
  }

  /** The default ranking, asked for together with the catalog instead of after it, when the
   * URL has no query (a first visit); a URL with values waits for the catalog to check them, so
   * an unknown value is a note on the page rather than a failed request. */
  function earlyBoard() {
    if (location.search.length > 1) return null;
    const pending = A.getJSON("/api/leaderboard");
    pending.catch(() => {});  // update() reports a failure when it uses this answer
    return pending;
  }

  async function start() {
    A.chart.init($("chart"), $("chart-status"), select);
    A.bubble.init($("bubble"), showRow);
    A.table.init($("thead"), $("tbody"), select);
    A.methodology.init($("methodology"), $("methodology-btn"), $("m-body"), $("m-close"));
    ["wq", "wg", "we"].forEach((k, i) => $(k).addEventListener("input", () => slide(i)));
    $("reset-weights").addEventListener("click", () => { S.custom = null; writeUrl(false); update(); });
    early = earlyBoard();
    try {
      [S.presets, S.buckets, S.summary, S.benches, S.hardware] = await Promise.all([A.getJSON("/api/presets"), A.getJSON("/api/buckets"), A.getJSON("/api/summary"), A.getJSON("/api/benches"), A.getJSON("/api/hardware")]);
    } catch (err) { $("status").textContent = `Could not load: ${err.message}`; return; }
    A.fill($("budget-box"), [A.el("option", { value: "", text: "any memory" }),
      ...S.hardware.map((h) => A.el("option", { value: h.id, text: `${h.name.split(" (")[0]} · ${h.memory_gb} GB`, title: h.source }))]);
    $("budget-box").addEventListener("change", (e) => {
      const h = S.hardware.find((x) => x.id === e.target.value);
      setBudget(h ? h.memory_gb : NaN);
    });
    $("budget-gb").addEventListener("change", (e) => setBudget(e.target.value === "" ? NaN : Number(e.target.value)));
    const notes = readUrl();
    if (notes.length) early = null;
    if (S.custom) $("custom").open = true;
    window.addEventListener("popstate", () => { readUrl(); update(); });
    await update();
    if (notes.length) $("status").textContent += ` Note: ${notes.join("; ")}; showing the default instead.`;
  }

  document.addEventListener("DOMContentLoaded", start);
})(window.Arena);
