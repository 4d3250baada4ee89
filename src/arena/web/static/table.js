// The sortable leaderboard table; tier shown by colour and by a text label.
"use strict";
(function (A) {
  const ALL = [
    { key: "rank", label: "#", num: true },
    { key: "name", label: "Model" },
    { key: "precision", label: "Precision" },
    { key: "bucket", label: "Bucket" },
    { key: "quality_raw", label: "Quality", num: true, title: "Mean of MMLU-Pro, GPQA and HumanEval (or LiveCodeBench), 0–100" },
    { key: "throughput_tps", label: "Throughput tok/s", num: true, title: "Tokens per second per user on the preset's bench(es)" },
    { key: "efficiency_raw", label: "Efficiency tok/s/GB", num: true, title: "Throughput ÷ VRAM" },
    { key: "vram_gb", label: "VRAM GB", num: true, title: "~ = estimated from parameters × bytes per parameter" },
    { key: "ttft_ms", label: "TTFT ms", num: true, title: "Time to first token: p50 where the tool reports it, else the mean (llama-benchy)" },
    { key: "joules_per_token", label: "J/tok", num: true, title: "Energy per output token (mean power × bench duration ÷ output tokens), mean over the preset's benches with power telemetry" },
    { key: "score", label: "Score", num: true, title: "wq·Q + wg·G + we·E, coloured by tier" },
  ];
  const COLS = ALL.slice();
  let rows = [], sortKey = "rank", sortDir = 1, selected = null, onSelect = null, thead = null, tbody = null, query = "";

  function cmp(a, b) {
    const x = a[sortKey], y = b[sortKey];
    if (x === y) return a.rank - b.rank;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (typeof x === "string" ? x.localeCompare(y) : x - y) * sortDir;
  }

  function header() {
    A.fill(thead, COLS.map((c) => {
      const active = c.key === sortKey;
      const th = A.el("th", { scope: "col", class: (c.num ? "num " : "") + `c-${c.key}`, title: c.title,
        "aria-sort": active ? (sortDir > 0 ? "ascending" : "descending") : "none" });
      th.appendChild(A.el("button", { type: "button", class: "sort", "data-key": c.key,
        onclick: () => sortBy(c.key) }, [c.label, A.el("span", { class: "arrow", "aria-hidden": "true", text: active ? (sortDir > 0 ? " ▲" : " ▼") : "" })]));
      return th;
    }));
  }

  function sortBy(key) {
    if (key === sortKey) sortDir = -sortDir;
    else { sortKey = key; sortDir = ["quality_raw", "throughput_tps", "efficiency_raw", "score"].includes(key) ? -1 : 1; }
    render();
    const btn = thead.querySelector(`button[data-key="${key}"]`);
    if (btn) btn.focus();
  }

  /** Each cell names its column (class c-<key>, data-label), so the phone's card layout can
   * place rank, name and Score first and label the rest. */
  function labelled(list) {
    list.forEach((cell, i) => {
      const col = COLS[i];
      if (!cell || !col) return;
      cell.classList.add(`c-${col.key}`);
      cell.dataset.label = col.label;
    });
    return list;
  }

  function cells(r) {
    const tier = A.tierLabel(r);
    const rel = (letter, v) => A.el("span", { class: "rel", title: `${letter}: 100 = best in this bucket`, text: `${letter} ${A.num(v)}` });
    const nm = r.flags.includes("no-measurement");
    const tput = A.el("td", { class: "num" + (nm ? " nm" : "") }, [A.el("span", { class: "raw", text: A.throughputText(r) }), nm ? null : rel("G", r.G)]);
    const vram = r.vram_gb === null ? "unknown" : (r.vram_method === "estimated" ? "~" : "") + A.num(r.vram_gb);
    const suspect = r.sanity && r.sanity.verdict === "suspect";
    const href = `/models/${encodeURIComponent(r.model)}` + (query ? `?${query}` : "");
    const jt = A.el("td", { class: "num", text: A.num(r.joules_per_token, 2),
      title: r.joules_per_token === null ? "no power telemetry" : `mean over ${r.energy_benches} ${r.energy_benches === 1 ? "bench" : "benches"} with telemetry` });
    const out = [
      A.el("td", { class: "num", text: r.rank }),
      A.el("th", { scope: "row", class: "model" }, [
        A.pick ? A.pick.box(r) : null,
        A.offline ? A.el("span", { class: "model-name", text: r.name }) : A.el("a", { href, text: r.name }),
        r.pareto ? A.el("span", { class: "front-tag", title: "On the Pareto frontier", text: "frontier" }) : null,
        r.reproduced ? A.el("span", { class: "repro-tag", title: `Reproduced: runs from ${r.hosts} hosts on this hardware agree (headline tok/s per bench within their spread or 5 %)`, text: "reproduced" }) : null,
        ...A.VERDICTS.filter((v) => r.flags.includes(v.flag) && !(suspect && v.flag === "suspect")).map((v) => A.el("span", { class: "verdict-tag", title: v.title, text: v.flag })),
        suspect ? A.sanityTag(r.sanity) : null,
      ]),
      A.el("td", { text: r.precision }),
      A.el("td", { text: r.bucket || "–" }),
      A.el("td", { class: "num" }, [A.el("span", { class: "raw", text: r.flags.includes("no-quality") ? "no data" : A.num(r.quality_raw) }), rel("Q", r.Q)]),
      tput,
      nm ? A.el("td", { class: "num eff-nm", text: "–", title: "no measurement" })
        : A.el("td", { class: "num" }, [A.el("span", { class: "raw", text: A.num(r.efficiency_raw, 2) }), rel("E", r.E)]),
      A.el("td", { class: "num", text: vram }),
      A.el("td", { class: "num", text: A.num(r.ttft_ms, 0) }),
      jt,
      A.el("td", { class: `num score tier-${A.tierClass(tier)}` }, [
        A.el("span", { class: "score-n", text: A.num(r.score) }),
        A.el("span", { class: "tier-label", text: tier }),
      ]),
    ];
    return labelled(out);
  }

  function render() {
    header();
    const sorted = rows.slice().sort(cmp);
    A.fill(tbody, sorted.map((r) => {
      const tr = A.el("tr", { tabindex: "0", "data-model": r.model, class: r.model === selected ? "selected" : null,
        "aria-selected": r.model === selected ? "true" : "false" }, cells(r));
      tr.addEventListener("click", (ev) => { if (!ev.target.closest("a, input")) onSelect(r.model, "table"); });
      tr.addEventListener("keydown", (ev) => {
        if ((ev.key === "Enter" || ev.key === " ") && ev.target === tr) { ev.preventDefault(); onSelect(r.model, "table"); }
      });
      return tr;
    }));
  }

  A.table = {
    init(theadRow, body, select) { thead = theadRow; tbody = body; onSelect = select; },
    /** Redraw; opts.measure names what G ranks (columns say its unit), opts.query (the view:
     * suite, preset, bucket) goes into each model link. */
    draw(newRows, ttftBench, opts) {
      query = (opts && opts.query) || "";
      const m = A.measureInfo(opts && opts.measure);
      COLS.splice(0, COLS.length, ...ALL.map((c) => (
        c.key === "throughput_tps" ? { ...c, label: m.g, title: m.capacity ? "Requests per second a rate sweep offered while p95 time to first token stayed within the limit (0 = even its lowest rate missed it)" : c.title }
        : c.key === "efficiency_raw" ? { ...c, label: m.e } : c)));
      if (!COLS.some((c) => c.key === sortKey)) { sortKey = "rank"; sortDir = 1; }
      const ttft = COLS.find((c) => c.key === "ttft_ms");
      ttft.label = ttftBench ? `TTFT ms (${ttftBench})` : "TTFT ms";
      ttft.title = `Time to first token on the ${ttftBench || "preset's"} bench: p50 where the tool reports it, else the mean (llama-benchy)`;
      rows = newRows; if (selected && !rows.some((r) => r.model === selected)) selected = null; render(); },
    /** Mark one row selected; scroll it into view when the chart asked. */
    highlight(model, scroll) {
      selected = model;
      for (const tr of tbody.querySelectorAll("tr")) {
        const on = tr.dataset.model === model;
        tr.classList.toggle("selected", on);
        tr.setAttribute("aria-selected", on ? "true" : "false");
        if (on && scroll) tr.scrollIntoView({ block: "nearest" });
      }
    },
  };
})(window.Arena);
