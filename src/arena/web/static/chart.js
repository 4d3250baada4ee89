// The Pareto chart: x = throughput (tok/s), y = quality, bubble area ∝ VRAM. Plotly from /static.
"use strict";
(function (A) {
  const FRONT = "#1f5fbf", MUTED = "#9aa3ad", NOQ = "#8a5a00", MAX_PX = 44, NOVRAM = 2, X_PX = 12;
  // Builds without quality data sit in a band under the 0–100 scale, labelled "no data".
  const NOQ_Y = -10, BAND = [-17, -4];
  const SELECTED = 5;  // index of the ring trace that marks the selected build
  let gd = null, status = null, onSelect = null, current = [], traceOf = {}, bound = false, drawn = false;

  const noQuality = (r) => r.flags.includes("no-quality");
  const noMeasure = (r) => r.flags.includes("no-measurement");
  const yOf = (r) => (noQuality(r) ? NOQ_Y : r.quality_raw);

  /** Which benches the number stands for; a partial row says how many of them were measured. */
  function benchesText(r, bench) {
    if (!r.flags.includes("partial-benches")) return bench;
    return `mean over ${r.benches_total} benches, ${r.benches_measured} measured (a missing bench counts 0)`;
  }

  /** The facts of one build as [label, text] pairs: the hover label and the tap panel. */
  function facts(r, bench) {
    const parts = Object.entries(r.quality_parts).map(([m, v]) => `${A.METRICS[m] || m} ${A.num(v)}`);
    const q = noQuality(r) ? "no quality data (drawn in the “no data” band)" : `${A.num(r.quality_raw)} (${parts.join(" · ")}) · Q ${A.num(r.Q)}`;
    const g = noMeasure(r) ? "no measurement (drawn at x = 0)" : `${A.num(r.throughput_tps, A.view.nd)} ${A.view.unit} · G ${A.num(r.G)}`;
    const vram = r.vram_gb === null ? "unknown" : `${A.num(r.vram_gb)} GB (${r.vram_method || "method unknown"})`;
    const out = [
      ["Build", `${r.precision} · ${r.bucket || "no bucket"} · ${r.pareto ? "on the Pareto frontier" : "dominated"}`],
      ["Quality", q],
      [A.view.capacity ? "Capacity" : "Throughput", `${g} · ${benchesText(r, bench)}`],
      ["VRAM", vram],
      ["Efficiency", noMeasure(r) ? "–" : `${A.num(r.efficiency_raw, 3)} ${A.view.unit} per GB · E ${A.num(r.E)}`],
      ["Score", `${A.num(r.score)} · rank ${r.rank} · ${A.tierLabel(r)}`],
      ["TTFT (p50, else mean)", r.ttft_ms === null ? "–" : A.num(r.ttft_ms, 0) + " ms"],
      ["Energy", r.joules_per_token === null ? "no telemetry" : A.num(r.joules_per_token, 2) + " J per output token"],
    ];
    if (r.sanity && r.sanity.verdict === "suspect") out.push(["Sanity suspect, answered", r.sanity.answer === null ? "no answer" : r.sanity.answer]);
    return out;
  }

  /** Plotly pseudo-HTML hover text for one row; every data string is escaped first. */
  function hoverText(r, bench) {
    const lines = facts(r, bench).map(([k, v]) => (k === "Build" ? A.esc(v) : `${A.esc(k)} ${A.esc(v)}`));
    return [`<b>${A.esc(r.name)}</b>`, ...lines].join("<br>");
  }

  /** On a touch screen the details panel under the chart replaces Plotly's hover label, which
   * would cover the chart; taps still reach plotly_click. */
  const touch = () => matchMedia("(pointer: coarse)").matches;

  function trace(name, rows, color, opts, bench, sizeref) {
    const hover = touch() ? { hoverinfo: "none" } : { text: rows.map((r) => hoverText(r, bench)), hovertemplate: "%{text}<extra></extra>" };
    return Object.assign({
      type: "scatter", mode: "markers", name, cliponaxis: false,
      x: rows.map((r) => r.throughput_tps), y: rows.map(yOf),
      customdata: rows.map((r) => r.model), ...hover,
      marker: {
        size: rows.map((r) => (noMeasure(r) ? X_PX * X_PX * sizeref : r.vram_gb || NOVRAM)),
        sizemode: "area", sizemin: 5, sizeref, color,
        symbol: rows.map((r) => (noMeasure(r) ? "x" : "circle")),
        line: { width: 1, color: "#ffffff" },
      },
    }, opts);
  }

  function legendOnly(name, marker) {
    return { type: "scatter", mode: "markers", name, x: [null], y: [null], hoverinfo: "skip", marker };
  }

  /** The y axis: 0–100 ticks, plus the "no data" band when a build in view has no quality. */
  function yAxis(rows, withBand) {
    const top = Math.min(105, Math.max(20, ...rows.filter((r) => !noQuality(r)).map((r) => r.quality_raw)) + 8);
    const ticks = [0, 20, 40, 60, 80, 100].filter((t) => t <= top);
    return {
      title: { text: "Quality (0–100)" }, gridcolor: "#e6e8eb", zeroline: false,
      range: [withBand ? BAND[0] : -4, top], tickmode: "array",
      tickvals: withBand ? [NOQ_Y, ...ticks] : ticks, ticktext: withBand ? ["no data", ...ticks.map(String)] : ticks.map(String),
    };
  }

  /** The loading / failure line over the chart; empty text hides it. */
  function say(text, state) {
    status.textContent = text;
    status.hidden = !text;
    gd.closest(".chart-box").dataset.chart = state;
  }

  /** Draw or update the chart for one leaderboard response. */
  A.chart = {
    init(node, statusNode, select) {
      gd = node;
      status = statusNode;
      onSelect = select;
      say("Loading the chart…", "loading");
    },
    /** Draw; a chart that cannot load or throws leaves a message in its place (the table stays). */
    async draw(board, benchLabel) {
      try {
        await A.plotlyReady();
        await render(board, benchLabel);
      } catch (err) {
        say(`The chart could not be drawn (${err && err.message ? err.message : err}). The table below lists every build.`, "failed");
        return;
      }
      say("", "drawn");
      if (!drawn) { drawn = true; performance.mark("chart-drawn"); }
      gd.setAttribute("data-drawn", String(Date.now()));
    },
    facts,
    /** Ring the selected build's bubble and show its tooltip. */
    highlight(model) {
      const at = traceOf[model];
      if (!gd || !at || !window.Plotly || !drawn) return;
      const r = current[at[0]][at[1]];
      window.Plotly.restyle(gd, { x: [[r.throughput_tps]], y: [[yOf(r)]] }, [SELECTED]);
      window.Plotly.Fx.hover(gd, [{ curveNumber: at[0], pointNumber: at[1] }]);
    },
  };

  async function render(board, benchLabel) {
    const rows = board.rows, byId = Object.fromEntries(rows.map((r) => [r.model, r]));
    const front = board.frontier.map((id) => byId[id]).filter(Boolean);
    const dominated = rows.filter((r) => !r.pareto && !noQuality(r));
    const unrated = rows.filter((r) => !r.pareto && noQuality(r));
    const maxV = Math.max(NOVRAM, ...rows.map((r) => r.vram_gb || 0));
    const sizeref = (2 * maxV) / (MAX_PX * MAX_PX);
    const maxX = Math.max(1, ...rows.map((r) => r.throughput_tps));
    const withBand = rows.some(noQuality);
    const data = [
      trace("On the Pareto frontier", front, FRONT, { mode: "lines+markers", line: { color: FRONT, width: 2 } }, benchLabel, sizeref),
      trace("Dominated", dominated, MUTED, { opacity: 0.55 }, benchLabel, sizeref),
      trace("No quality data (band below 0)", unrated, NOQ, { opacity: 0.8 }, benchLabel, sizeref),
      legendOnly("VRAM (small → large)", { size: [6, 12, 18], color: "rgba(0,0,0,0)", line: { color: "#555", width: 1.5 } }),
      legendOnly("No measurement (× at x = 0)", { symbol: "x", size: 10, color: "#555" }),
      { type: "scatter", mode: "markers", name: "selected", showlegend: false, hoverinfo: "skip", x: [], y: [], cliponaxis: false,
        marker: { symbol: "circle-open", size: 26, color: "#111", line: { width: 3 } } },
    ];
    if (!unrated.length) data[2].showlegend = false;
    data[2].marker.symbol = unrated.map((r) => (noMeasure(r) ? "x" : "diamond"));
    current = [front, dominated, unrated];
    traceOf = {};
    current.forEach((list, t) => list.forEach((r, i) => (traceOf[r.model] = [t, i])));
    const narrow = gd.clientWidth < 560;
    const layout = {
      margin: { l: 60, r: 16, t: 10, b: narrow ? 110 : 48 }, height: narrow ? 400 : 440,
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", hovermode: "closest",
      font: { family: "system-ui, sans-serif", size: 12, color: "#1d2430" },
      xaxis: { title: { text: narrow ? A.view.axis : `${A.view.axis} (${A.esc(benchLabel)})` }, range: [-maxX * 0.06, maxX * 1.08], zeroline: true, gridcolor: "#e6e8eb" },
      yaxis: yAxis(rows, withBand),
      shapes: withBand ? [{ type: "rect", xref: "paper", x0: 0, x1: 1, y0: BAND[0], y1: BAND[1], fillcolor: "#f6efe0", line: { width: 0 }, layer: "below" }] : [],
      legend: { orientation: "h", x: 0, y: narrow ? -0.3 : 1.08, yanchor: narrow ? "top" : "bottom" },
      hoverlabel: { bgcolor: "#ffffff", bordercolor: "#1d2430", font: { color: "#1d2430", size: 12 }, align: "left" },
    };
    const config = { displayModeBar: false, responsive: true, scrollZoom: false };
    await window.Plotly.react(gd, data, layout, config);
    if (!bound) {
      bound = true;
      gd.on("plotly_click", (ev) => {
        const p = ev.points && ev.points[0];
        if (p && typeof p.customdata === "string") onSelect(p.customdata, "chart");
      });
    }
    const nq = unrated.length ? ` ${unrated.length} without quality data, drawn in a band below 0.` : "";
    gd.setAttribute("aria-label", `Pareto chart of ${rows.length} builds. On the frontier: ${front.map((r) => r.name).join(", ")}.${nq}`);
  }
})(window.Arena);
