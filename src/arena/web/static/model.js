// One build: facts, quality with sources, all benches with provenance and per-concurrency charts.
"use strict";
(function (A) {
  const $ = (id) => document.getElementById(id);
  const el = A.el;
  const OPEN_KEYS = [
    ["request_rate", "request rate (rps)", 2], ["duration", "duration (s)", 0], ["completed", "completed", 0],
    ["failed", "failed", 0], ["max_concurrent_requests", "max concurrent", 0], ["output_throughput", "output tok/s (all users)", 1],
    ["median_ttft_ms", "TTFT p50 ms", 0], ["p95_ttft_ms", "TTFT p95 ms", 0], ["p99_ttft_ms", "TTFT p99 ms", 0],
    ["median_tpot_ms", "TPOT p50 ms", 1], ["p99_tpot_ms", "TPOT p99 ms", 1], ["median_itl_ms", "ITL p50 ms", 1],
  ];

  function link(url, text) {
    const href = A.safeHref(url);
    return href ? el("a", { href, rel: "noopener noreferrer", target: "_blank", text: text || url }) : el("span", { text: text || url || "–" });
  }

  /** "ok", "not checked", or the suspect badge with the model's answer (as text). */
  function sanityNode(s) {
    if (s.verdict === "suspect") return el("span", {}, [A.sanityTag(s), s.reason ? ` ${s.reason}` : null]);
    return el("span", { text: s.verdict === "not-checked" ? "not checked" : s.verdict });
  }

  /** The leaderboard view (preset, bucket) this page was opened from, kept in its links. */
  function boardView() {
    const q = new URLSearchParams(location.search), keep = new URLSearchParams();
    for (const k of ["preset", "bucket", "hardware"]) if (q.get(k)) keep.set(k, q.get(k));
    return keep;
  }

  /** A link to this build's page in a suite or one run, keeping the leaderboard view. */
  function pageLink(key, value, text) {
    const q = boardView();
    q.set(key, value);
    return el("a", { href: `${location.pathname}?${q}`, text });
  }

  /** The back link returns to the leaderboard view: suite, preset and bucket. */
  function backLink() {
    const q = new URLSearchParams(location.search), back = new URLSearchParams();
    if (q.get("suite")) back.set("suite", q.get("suite"));
    for (const [k, v] of boardView()) back.set(k, v);
    $("back").href = "/" + (back.toString() ? "?" + back : "");
  }

  /** A run's trust state: retracted (with the reason), disagrees with the shown result, or agrees. */
  function trustNode(r) {
    if (r.retracted) return el("span", { class: "retracted-tag", text: `retracted ${A.day(r.retracted.at)}: ${r.retracted.reason || "no reason given"}` });
    if (r.agreement === "disagrees") return el("span", { class: "verdict-tag", title: "Its headline tok/s differs from the result shown by more than max(3 × spread, 15 %) on some bench", text: "disagrees" });
    return r.agreement === "agrees" ? "agrees" : "–";
  }

  function runs(d) {
    const head = el("tr", {}, ["Run", "Suite", "Hardware", "Host", "When", "Date", "Engine", "Benches", "Trust", "Sanity", "Origin", "Tools", "Environment"].map((h) => el("th", { scope: "col", text: h })));
    const kv = (o) => Object.entries(o || {}).map(([k, v]) => `${k} ${v}`).join(", ") || "–";
    const rows = d.runs.map((r) => el("tr", { class: [r.id === d.run_id ? "current" : null, r.retracted ? "retracted" : null].filter(Boolean).join(" ") || null, "data-run": r.id }, [
      el("th", { scope: "row" }, [r.retracted ? el("s", {}, pageLink("run", r.id, r.id)) : pageLink("run", r.id, r.id), r.id === d.run_id ? " (shown)" : null]),
      el("td", {}, pageLink("suite", r.suite, r.suite)),
      el("td", {}, r.hardware_id === d.hardware.id ? r.hardware_id : pageLink("hardware", r.hardware_id, r.hardware_id)),
      el("td", { class: "long", text: r.host, title: r.submitted_by ? "the board host that submitted it" : r.host === "local" ? "measured or imported on this machine" : "loaded from this dataset (measured on its author's box)" }),
      el("td", { text: r.submitted_at ? A.day(r.submitted_at) : A.day(r.recorded_at), title: r.submitted_at ? "submitted" : "stored" }),
      el("td", { text: A.day(r.date || r.recorded_at) }),
      el("td", { class: "wrap", text: `${r.engine || "?"} ${r.engine_version || ""}` }),
      el("td", { class: "num", text: `${r.good.length}/${r.benches.length}`, title: "benches with a headline / benches stored" }),
      el("td", { class: "wrap trust" }, trustNode(r)),
      el("td", { class: "wrap" }, sanityNode(r.sanity)),
      el("td", { class: "long", text: r.origin }),
      el("td", { class: "long", text: kv(r.tool_versions) }),
      el("td", { class: "long", text: kv(r.environment) }),
    ]));
    A.fill($("runs"), [el("thead", {}, head), el("tbody", {}, rows)]);
    const repro = d.reproduced ? ` Reproduced: runs from ${d.hosts} hosts on ${d.hardware.name} agree.` : "";
    $("runs-note").textContent = `${d.runs.length} ${d.runs.length === 1 ? "run" : "runs"} on every hardware and host, newest first. Shown: suite ${d.suite || "–"} on ${d.hardware.name}` +
      (new URLSearchParams(location.search).has("run") ? `, run ${d.run_id} only.` : ", per bench the newest result with a headline (retracted runs never).") + repro;
  }

  function facts(d) {
    const params = d.params_total_b === null ? "unknown" : `${A.num(d.params_total_b)}B total / ${A.num(d.params_active_b)}B active`;
    const vram = d.vram_gb === null ? "unknown" : `${A.num(d.vram_gb, 2)} GB`;
    const items = [
      ["Id", d.id], ["Base model", d.card_url ? link(d.card_url, d.base_model) : d.base_model], ["Checkpoint", d.checkpoint || "–"],
      ["Vendor", d.vendor || "–"], ["Architecture", d.architecture || "–"], ["Parameters", params], ["Precision", d.precision],
      ["Bucket", d.bucket || "–"], ["Engine", `${d.engine || "?"} ${d.engine_version || ""}`], ["Hardware", d.hardware.name],
      ["Run date", d.run_date || "–"], ["Origin", d.origin], ["Suite", d.suite || "–"], ["Run", d.run_id || "–"],
      ["Sanity", sanityNode(d.sanity)],
      ["VRAM", `${vram} · method: ${d.vram_method || "unknown"}${d.vram_source ? " · " + d.vram_source : ""}`],
      ["Server config", Object.entries(d.server_config).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ") || "–"],
    ];
    A.fill($("facts"), items.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, v)]));
  }

  function quality(d) {
    const head = el("tr", {}, ["Metric", "Value", "Kind", "Source", "Retrieved", "Note"].map((h) => el("th", { scope: "col", text: h })));
    const rows = Object.entries(d.quality).flatMap(([m, list]) => list.map((q) => el("tr", {}, [
      el("th", { scope: "row", text: A.METRICS[m] || m }), el("td", { class: "num", text: A.num(q.value) }),
      el("td", { text: q.kind + (q.build_specific ? " (this build)" : " (base model)") }), el("td", {}, link(q.source)),
      el("td", { text: q.retrieved || "–" }), el("td", { class: "note", text: q.note || "" }),
    ])));
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: "6", text: "No quality data for this build." })));
    A.fill($("quality"), [el("thead", {}, head), el("tbody", {}, rows)]);
  }

  function headline(b) {
    const cells = [["tok/s per user", A.num(b.tps_per_user)], ["± std over runs", A.num(b.std, 2)], ["tok/s total", A.num(b.tps_total)],
      ["TTFT p50 ms", A.num(b.ttft_p50_ms, 0)], ["TTFT p95 ms", A.num(b.ttft_p95_ms, 0)], ["TTFT mean ms", A.num(b.ttft_mean_ms, 0)]];
    return el("dl", { class: "facts" }, cells.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  }

  function energy(e) {
    const cells = [["mean power W", A.num(e.mean_power_w, 1)], ["peak power W", A.num(e.peak_power_w, 1)],
      ["J per output token", A.num(e.joules_per_output_token, 3)], ["tok/s per W", A.num(e.tokens_per_watt, 3)],
      ["peak temperature °C", A.num(e.peak_temp_c, 0)],
      ["duration s", `${A.num(e.duration_s, 1)}${e.duration_source ? " (" + e.duration_source + ")" : ""}`],
      ["output tokens", A.num(e.output_tokens, 0)], ["telemetry", `${e.samples} samples · ${e.source}`]];
    return el("dl", { class: "facts energy" }, cells.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  }

  /** Cost per million output tokens: this bench's measured J/token and tok/s at the server's [cost] prices. */
  function cost(c) {
    const hw = c.hardware_per_mtok === null ? "" : ` + hardware ${A.num(c.hardware_per_mtok, 3)}`;
    return el("p", { class: "cost", "data-per-mtok": String(c.per_mtok) }, [
      el("strong", { text: `${A.num(c.per_mtok, 3)} ${c.currency} per million output tokens` }),
      ` = energy ${A.num(c.energy_per_mtok, 3)}${hw}, from ${A.num(c.joules_per_output_token, 3)} J per output token` +
        `${c.output_tps === null ? "" : " and " + A.num(c.output_tps, 1) + " output tok/s"} measured here, at ${c.electricity_per_kwh} ${c.currency}/kWh` +
        `${c.hardware_price === null ? "" : ` and a ${c.hardware_price} ${c.currency} box over ${c.hardware_lifetime_years} years × ${c.hours_per_day} h/day`}. `,
      el("span", { class: "prov", text: `Prices: the [cost] table of ${c.config}. ${c.rule}` }),
    ]);
  }

  function sweep(b) {
    const parts = [];
    if (b.capacity) {
      const head = el("tr", {}, ["p95 TTFT limit", "capacity (offered rps)", "achieved rps", "p95 TTFT ms"].map((h) => el("th", { scope: "col", text: h })));
      const rows = b.capacity.map((c) => el("tr", {}, [
        el("th", { scope: "row", text: c.ttft_p95_limit_ms === null ? "–" : `${A.num(c.ttft_p95_limit_ms / 1000, 0)} s` }),
        el("td", { class: "num", text: c.offered_rps === null ? "no step meets this limit" : A.num(c.offered_rps, 2) }),
        el("td", { class: "num", text: A.num(c.achieved_rps, 2) }), el("td", { class: "num", text: A.num(c.ttft_p95_ms, 0) }),
      ]));
      parts.push(el("table", { class: "sweep capacity" }, [el("caption", { text: "Capacity per p95 TTFT limit" }), el("thead", {}, head), el("tbody", {}, rows)]));
    }
    if (b.steps) {
      const head = el("tr", {}, ["offered rps", "achieved rps", "completed / total", "TTFT p50 ms", "p95", "p99", "output tok/s", "peak concurrency"].map((h) => el("th", { scope: "col", text: h })));
      const rows = b.steps.map((s) => el("tr", {}, [
        el("th", { scope: "row", text: A.num(s.offered_rps, 2) }), el("td", { class: "num", text: A.num(s.achieved_rps, 2) }),
        el("td", { class: "num", text: `${s.completed ?? "–"} / ${s.total ?? "–"}` }),
        el("td", { class: "num", text: A.num(s.ttft_p50_ms, 0) }), el("td", { class: "num", text: A.num(s.ttft_p95_ms, 0) }),
        el("td", { class: "num", text: A.num(s.ttft_p99_ms, 0) }), el("td", { class: "num", text: A.num(s.output_tps, 1) }),
        el("td", { class: "num", text: s.peak_concurrency ?? "–" }),
      ]));
      parts.push(el("table", { class: "sweep steps" }, [el("caption", { text: "Steps" }), el("thead", {}, head), el("tbody", {}, rows)]));
    }
    return el("div", { class: "table-wrap", tabindex: "0", "aria-label": "Rate sweep, scrolls sideways" }, parts);
  }

  function provenance(s) {
    return el("p", { class: "prov" }, [`Source: ${s.tool}${s.tool_version ? " " + s.tool_version : ""} · file ${s.file || "–"} · date ${s.date || "–"}`,
      s.command ? el("br") : null, s.command ? el("code", { text: s.command }) : null]);
  }

  function miniChart(node, rows, title) {
    const groups = {};
    // one line per prompt size and source file: a bench fed by two runs (big-context: files A
    // and B) has the same prompt size at different concurrencies in each
    const manyFiles = new Set(rows.map((r) => r.file)).size > 1;
    for (const r of rows) {
      const key = `${r.prompt_tokens} prompt${r.depth ? ", depth " + r.depth : ""}${manyFiles && r.file ? " · " + r.file : ""}`;
      (groups[key] = groups[key] || []).push(r);
    }
    const data = Object.entries(groups).map(([name, rs]) => {
      rs.sort((a, b) => a.concurrency - b.concurrency);
      return { type: "scatter", mode: "lines+markers", name: A.esc(name), x: rs.map((r) => r.concurrency), y: rs.map((r) => r.tg_tps_req),
        error_y: { type: "data", array: rs.map((r) => r.tg_tps_req_std || 0), visible: true, thickness: 1 },
        hovertemplate: "c=%{x}: %{y:.1f} tok/s per user<extra>" + A.esc(name) + "</extra>" };
    });
    const layout = { height: 220, margin: { l: 48, r: 10, t: 8, b: 40 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      xaxis: { title: { text: "concurrency" }, type: "category" }, yaxis: { title: { text: "tok/s per user" }, rangemode: "tozero" },
      font: { family: "system-ui, sans-serif", size: 11 }, showlegend: data.length > 1, legend: { orientation: "h", y: -0.35 } };
    node.setAttribute("aria-label", `tok/s per user against concurrency, ${title}`);
    return window.Plotly.newPlot(node, data, layout, { displayModeBar: false, responsive: true });
  }

  /** Decode tok/s per user as a share of the memory-bandwidth bound; above 100 % is flagged. */
  function roofline(r) {
    const over = r.fraction > 1;
    return el("p", { class: over ? "roofline over" : "roofline", "data-fraction": String(r.fraction) }, [
      el("strong", { text: `Roofline ${Math.round(r.fraction * 100)} %` }),
      ` of ${A.num(r.bound_tps, 1)} tok/s (memory bandwidth ÷ bytes of active weights per token). `,
      el("span", { class: "prov", text: r.note }),
    ]);
  }

  function benchSection(id, b, bench, draws, suite) {
    const title = bench ? bench.title : id;
    const lettered = bench && bench.letter && suite === "v1";  // the letters name suite v1's files
    const parts = [el("h3", { text: `${lettered ? bench.letter + " · " : ""}${title}` })];
    if (!b) {
      parts.push(el("p", { class: "nm", text: "no measurement" }));
      return el("section", { class: "bench", "data-bench": id }, parts);
    }
    parts.push(headline(b));
    if (b.completed !== null || b.failed !== null) parts.push(el("p", { text: `Requests completed ${b.completed ?? "–"}, failed ${b.failed ?? "–"}.` }));
    if (b.rows.length) {
      const chart = el("div", { class: "mini-chart", role: "img" });
      parts.push(chart);
      draws.push(() => miniChart(chart, b.rows, title));
    }
    const dist = OPEN_KEYS.filter(([k]) => b.distribution[k] !== undefined && b.distribution[k] !== null);
    if (dist.length) parts.push(el("dl", { class: "facts" }, dist.flatMap(([k, label, nd]) => [el("dt", { text: label }), el("dd", { text: A.num(b.distribution[k], nd) })])));
    if (b.roofline) parts.push(roofline(b.roofline));
    if (b.capacity || b.steps) parts.push(sweep(b));
    if (b.energy) parts.push(energy(b.energy));
    if (b.cost) parts.push(cost(b.cost));
    if (b.flags.length) parts.push(el("p", {}, b.flags.map((f) => el("span", { class: "verdict-tag", text: f }))));
    if (b.notes.length) parts.push(el("ul", { class: "prov" }, b.notes.map((n) => el("li", { text: n }))));
    parts.push(provenance(b.source));
    if (b.run_id) parts.push(el("p", { class: "prov", text: `Run ${b.run_id}` }));
    return el("section", { class: "bench", "data-bench": id }, parts);
  }

  async function start() {
    const id = decodeURIComponent(location.pathname.split("/").pop());
    const q = new URLSearchParams(location.search), ask = new URLSearchParams();
    for (const k of ["suite", "run", "hardware"]) if (q.get(k)) ask.set(k, q.get(k));
    const api = "/api/models/" + encodeURIComponent(id) + (ask.toString() ? "?" + ask : "");
    $("json-link").href = api;
    backLink();
    let d, benches, summary;
    try {
      [d, benches, summary] = await Promise.all([A.getJSON(api), A.getJSON("/api/benches"), A.getJSON("/api/summary")]);
    } catch (err) { $("status").textContent = `Could not load: ${err.message}`; return; }
    document.title = `${d.name} · The Arena`;
    A.fill($("name"), [d.name, d.reproduced ? el("span", { class: "repro-tag", title: `Runs from ${d.hosts} hosts on ${d.hardware.name} agree (headline tok/s per bench within their spread or 5 %)`, text: "reproduced" }) : null]);
    $("subtitle").textContent = `${d.precision} · ${d.bucket || "no bucket"} · ${d.hardware.name} · suite ${d.suite || "–"} · ${d.benches_measured}/${d.benches_total} benches measured`;
    facts(d);
    runs(d);
    quality(d);
    const byId = Object.fromEntries(benches.map((b) => [b.id, b]));
    const draws = [];
    A.fill($("benches"), Object.entries(d.benches).map(([bid, b]) => benchSection(bid, b, byId[bid], draws, d.suite)));
    $("bench-summary").textContent = "Headline = tok/s per user: closed loop (llama-benchy) at the reference concurrency, open loop (vllm bench serve) = 1000 / median TPOT. A rate sweep has no headline: its capacity is the offered rate at which p95 TTFT stays within each limit. J per output token = mean power × bench duration ÷ output tokens.";
    const ds = summary.datasets[d.origin.replace(/^dataset:/, "")];
    $("attribution").textContent = ds ? ds.attribution : "Data: your own measurements.";
    await A.plotlyReady();
    await Promise.all(draws.map((f) => f()));
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", start);
})(window.Arena);
