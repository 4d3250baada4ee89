// 2 to 4 builds side by side: headlines with % against the first and the spread verdict,
// quality, VRAM, config differences and each build's runs over time. Text only, never HTML.
"use strict";
(function (A) {
  const $ = (id) => document.getElementById(id);
  const el = A.el;
  const WORDS = { exceeds: "exceeds spread", within: "within spread", "spread unknown": "spread unknown", "no reference": "no reference value" };

  /** The colour class of a cell: up/down only when the change exceeds the spread. */
  function tone(verdict, delta) {
    if (verdict === "exceeds") return delta > 0 ? "cmp-up" : "cmp-down";
    if (verdict === "within") return "cmp-within";
    if (verdict === "spread unknown") return "cmp-unknown";
    return null;
  }

  const runVerdict = (ex) => (ex === null || ex === undefined ? "spread unknown" : ex ? "exceeds" : "within");
  /** A run step is coloured only when its change exceeds the spread, like the bench table. */
  const runTone = (d, ex) => (ex ? (d > 0 ? "cmp-up-text" : "cmp-down-text") : "cmp-muted");
  const pctText = (d) => (d === null || d === undefined ? "–" : `${d > 0 ? "+" : ""}${A.num(d, 1)} %`);

  function head(first, names) {
    return el("thead", {}, el("tr", {}, [...first, ...names].map((h) => el("th", { scope: "col" }, h))));
  }

  function buildHeads(c) {
    const where = new URLSearchParams({ suite: c.suite || "", hardware: c.hardware.id });
    return c.builds.map((b, i) => el("span", {}, [
      el("a", { href: `/models/${encodeURIComponent(b.id)}?${where}`, text: b.name }),
      el("span", { class: "cmp-sub", text: `${b.precision} · ${b.engine || "?"} ${b.engine_version || ""} · run ${b.run_id || "–"}${i === 0 ? " · reference" : ""}` }),
    ]));
  }

  function benches(c, names) {
    const rows = c.benches.map((b) => el("tr", { "data-bench": b.bench }, [
      el("th", { scope: "row", title: b.title, text: b.bench }),
      el("td", { text: b.unit }),
      ...b.values.map((v, i) => {
        const nd = b.measure === "tps_per_user" ? 1 : 2;
        const spread = b.spread[i] === null ? "" : ` ± ${A.num(b.spread[i], nd)}`;
        if (i === 0 || v === null) return el("td", { class: "num", text: v === null ? "no value" : A.num(v, nd) + spread });
        return el("td", { class: `num ${tone(b.verdict[i], b.delta_pct[i]) || ""}` }, [
          el("span", { class: "raw", text: A.num(v, nd) + spread }),
          el("span", { class: "cmp-delta", text: `${pctText(b.delta_pct[i])} · ${WORDS[b.verdict[i]] || b.verdict[i]}` }),
        ]);
      }),
    ]));
    A.fill($("benches"), [head(["Bench", "Unit"], names), el("tbody", {}, rows)]);
    A.fill($("legend"), [
      el("span", { class: "cmp-key cmp-up", text: "faster, exceeds spread" }), " ",
      el("span", { class: "cmp-key cmp-down", text: "slower, exceeds spread" }), " ",
      el("span", { class: "cmp-key cmp-within", text: "within spread" }), " ",
      el("span", { class: "cmp-key cmp-unknown", text: "spread unknown" }),
      el("span", { class: "cmp-rule", text: ` Change in % against the first build. Rule: ${c.rule}.` }),
    ]);
  }

  /** A quality source: a link when it is an http(s) URL, else text. */
  function source(text) {
    const href = A.safeHref(text);
    return href ? el("a", { href, rel: "noopener noreferrer", target: "_blank", text }) : (text || "source unknown");
  }

  function quality(c, names) {
    const rows = c.quality.map((q) => el("tr", {}, [
      el("th", { scope: "row", text: A.METRICS[q.metric] || q.metric }),
      ...q.values.map((v, i) => el("td", {}, v === null ? "no data" : [
        el("span", { class: "raw", text: A.num(v) + (i > 0 && q.delta[i] !== null ? ` (${q.delta[i] > 0 ? "+" : ""}${A.num(q.delta[i])} pts)` : "") }),
        el("span", { class: "cmp-sub" }, [`${q.kinds[i]} · `, source(q.sources[i])]),
      ])),
    ]));
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: names.length + 1, text: "No quality data for these builds." })));
    A.fill($("quality"), [head(["Metric"], names), el("tbody", {}, rows)]);
  }

  function vram(c, names) {
    const row = el("tr", {}, [el("th", { scope: "row", text: "VRAM" }), ...c.vram.map((v) => el("td", {}, [
      el("span", { class: "raw", text: v.gb === null ? "unknown" : `${A.num(v.gb, 2)} GB` }),
      el("span", { class: "cmp-sub", text: `method: ${v.method || "unknown"}${v.source ? " · " + v.source : ""}` }),
    ]))]);
    A.fill($("vram"), [head([""], names), el("tbody", {}, row)]);
  }

  function config(c, names) {
    const rows = c.config_diff.map((d) => el("tr", {}, [
      el("th", { scope: "row", text: d.key }),
      ...d.values.map((v) => el("td", { class: "cmp-wrap", text: v === null ? "(not set)" : (v === "" ? "(empty)" : v) })),
    ]));
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: names.length + 1, text: "Same engine, version, hardware and server config." })));
    A.fill($("config"), [head(["Key"], names), el("tbody", {}, rows)]);
  }

  function runs(c) {
    const names = Object.fromEntries(c.builds.map((b) => [b.id, b.name]));
    const parts = c.runs_over_time.map((br) => {
      const order = [...new Set(br.runs.flatMap((p) => Object.keys(p.values)))];
      const rows = br.runs.map((p) => el("tr", {}, [
        el("th", { scope: "row", text: p.run_id }),
        el("td", { text: p.suite }),
        el("td", { text: p.hardware }),
        el("td", { text: A.day(p.date) }),
        el("td", { text: `${p.engine || "?"} ${p.engine_version || ""}` }),
        el("td", { text: p.previous === null ? "first run" : (p.same_suite ? "same suite" : "across suites") }),
        ...order.map((b) => {
          const d = p.delta_pct[b];
          return el("td", { class: "num", title: b }, [
            el("span", { class: "raw", text: p.values[b] === undefined ? "–" : A.num(p.values[b], b === "rate-sweep" ? 2 : 1) }),
            d === undefined ? null : el("span", { class: `cmp-delta ${runTone(d, p.exceeds_spread[b])}`,
              text: `${pctText(d)}${p.exceeds_spread[b] === null ? " ?" : ""}`, title: WORDS[runVerdict(p.exceeds_spread[b])] }),
          ]);
        }),
      ]));
      return el("div", { class: "table-wrap cmp-runs", tabindex: "0", "aria-label": `Runs of ${names[br.build]}, scrolls sideways` },
        el("table", { class: "cmp" }, [
          el("caption", { text: `${names[br.build]}: ${br.runs.length} ${br.runs.length === 1 ? "run" : "runs"}, oldest first` }),
          head(["Run", "Suite", "Hardware", "Date", "Engine", "Step"], order), el("tbody", {}, rows),
        ]));
    });
    A.fill($("runs"), parts);
    $("runs-note").textContent = `Headline per bench and its change since the run before on the same hardware; coloured when the change exceeds the spread, "?" when the spread is unknown. Note: ${c.runs_note}.`;
  }

  async function start() {
    const q = new URLSearchParams(location.search);
    const api = new URLSearchParams({ ids: q.get("ids") || "" });
    for (const key of ["suite", "hardware"]) if (q.get(key)) api.set(key, q.get(key));
    $("json-link").href = `/api/compare?${api}`;
    const board = new URLSearchParams();
    for (const key of ["suite", "hardware"]) if (q.get(key)) board.set(key, q.get(key));
    if (board.toString()) $("back").href = `/?${board}`;
    let c;
    try { c = await A.getJSON(`/api/compare?${api}`); } catch (err) {
      $("status").textContent = `Could not compare: ${err.message}`;
      document.body.dataset.ready = "error";
      return;
    }
    const names = buildHeads(c);
    document.title = `Compare ${c.builds.map((b) => b.name).join(" · ")} · The Arena`;
    $("title").textContent = `Compare ${c.builds.length} builds on ${c.hardware.name}`;
    $("subtitle").textContent = `Suite ${c.suite}, hardware ${c.hardware.name} (${c.hardware.id}): every headline comes from runs on it. Reference: ${c.builds[0].name}. Every number is the headline the leaderboard uses, from the run named on each build's page.`;
    benches(c, names.map((n) => n.cloneNode(true)));
    quality(c, names.map((n) => n.cloneNode(true)));
    vram(c, names.map((n) => n.cloneNode(true)));
    config(c, names.map((n) => n.cloneNode(true)));
    runs(c);
    $("status").textContent = "";
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", start);
})(window.Arena);
