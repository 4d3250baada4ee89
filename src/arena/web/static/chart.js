// The Pareto chart: x = throughput (tok/s), y = quality, bubble area ∝ VRAM. Plotly from /static.
"use strict";
(function (A) {
  const FRONT = "#1f5fbf", MUTED = "#9aa3ad", MAX_PX = 44, NOVRAM = 2;
  let gd = null, onSelect = null, current = [], traceOf = {}, bound = false;

  /** Which benches the number stands for; a partial row says how many of them were measured. */
  function benchesText(r, bench) {
    if (!r.flags.includes("partial-benches")) return bench;
    return `mean over ${r.benches_total} benches, ${r.benches_measured} measured (a missing bench counts 0)`;
  }

  /** Plotly pseudo-HTML hover text for one row; every data string is escaped first. */
  function hoverText(r, bench) {
    const parts = Object.entries(r.quality_parts).map(([m, v]) => `${A.METRICS[m] || m} ${A.num(v)}`);
    const q = r.flags.includes("no-quality") ? "no quality data" : `${A.num(r.quality_raw)} (${parts.join(" · ")}) · Q ${A.num(r.Q)}`;
    const g = r.flags.includes("no-measurement") ? "no measurement (drawn at x = 0)" : `${A.num(r.throughput_tps, A.view.nd)} ${A.view.unit} · G ${A.num(r.G)}`;
    const vram = r.vram_gb === null ? "unknown" : `${A.num(r.vram_gb)} GB (${r.vram_method || "method unknown"})`;
    const lines = [
      `<b>${A.esc(r.name)}</b>`,
      `${A.esc(r.precision)} · ${A.esc(r.bucket || "no bucket")} · ${r.pareto ? "on the Pareto frontier" : "dominated"}`,
      `Quality ${A.esc(q)}`,
      `${A.view.capacity ? "Capacity" : "Throughput"} ${A.esc(g)} · ${A.esc(benchesText(r, bench))}`,
      `VRAM ${A.esc(vram)}`,
      r.flags.includes("no-measurement") ? "Efficiency –" : `Efficiency ${A.num(r.efficiency_raw, 3)} ${A.view.unit} per GB · E ${A.num(r.E)}`,
      `Score ${A.num(r.score)} · rank ${r.rank} · ${A.esc(A.tierLabel(r))}`,
      `TTFT (p50, else mean) ${r.ttft_ms === null ? "–" : A.num(r.ttft_ms, 0) + " ms"}`,
      `Energy ${r.joules_per_token === null ? "no telemetry" : A.num(r.joules_per_token, 2) + " J per output token"}`,
    ];
    if (r.sanity && r.sanity.verdict === "suspect") lines.push(`Sanity suspect: ${A.esc(r.sanity.answer === null ? "no answer" : r.sanity.answer)}`);
    return lines.join("<br>");
  }

  function trace(name, rows, color, opts, bench) {
    return Object.assign({
      type: "scatter", mode: "markers", name,
      x: rows.map((r) => r.throughput_tps), y: rows.map((r) => r.quality_raw),
      customdata: rows.map((r) => r.model), text: rows.map((r) => hoverText(r, bench)),
      hovertemplate: "%{text}<extra></extra>",
      marker: {
        size: rows.map((r) => r.vram_gb || NOVRAM), sizemode: "area", sizemin: 5, color,
        symbol: rows.map((r) => (r.flags.includes("no-measurement") ? "x" : "circle")),
        line: { width: 1, color: "#ffffff" },
      },
    }, opts);
  }

  /** Draw or update the chart for one leaderboard response. */
  A.chart = {
    init(node, select) {
      gd = node;
      onSelect = select;
    },
    async draw(board, benchLabel) {
      await A.plotlyReady();
      const rows = board.rows, byId = Object.fromEntries(rows.map((r) => [r.model, r]));
      const front = board.frontier.map((id) => byId[id]).filter(Boolean);
      const dominated = rows.filter((r) => !r.pareto);
      const maxV = Math.max(NOVRAM, ...rows.map((r) => r.vram_gb || 0));
      const sizeref = (2 * maxV) / (MAX_PX * MAX_PX);
      const maxX = Math.max(1, ...rows.map((r) => r.throughput_tps));
      const data = [
        trace("On the Pareto frontier", front, FRONT, { mode: "lines+markers", line: { color: FRONT, width: 2 } }, benchLabel),
        trace("Dominated", dominated, MUTED, { opacity: 0.55 }, benchLabel),
        { type: "scatter", mode: "markers", name: "VRAM (small → large)", x: [null], y: [null], hoverinfo: "skip",
          marker: { size: [6, 12, 18], color: "rgba(0,0,0,0)", line: { color: "#555", width: 1.5 } } },
        { type: "scatter", mode: "markers", name: "No measurement (x = 0)", x: [null], y: [null], hoverinfo: "skip",
          marker: { symbol: "x", size: 10, color: "#555" } },
        { type: "scatter", mode: "markers", name: "selected", showlegend: false, hoverinfo: "skip", x: [], y: [],
          marker: { symbol: "circle-open", size: 26, color: "#111", line: { width: 3 } } },
      ];
      data[0].marker.sizeref = sizeref;
      data[1].marker.sizeref = sizeref;
      current = [front, dominated];
      traceOf = {};
      front.forEach((r, i) => (traceOf[r.model] = [0, i]));
      dominated.forEach((r, i) => (traceOf[r.model] = [1, i]));
      const narrow = gd.clientWidth < 560;
      const layout = {
        margin: { l: 52, r: 12, t: 10, b: narrow ? 96 : 48 }, height: narrow ? 380 : 440,
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", hovermode: "closest",
        font: { family: "system-ui, sans-serif", size: 12, color: "#1d2430" },
        xaxis: { title: { text: narrow ? A.view.axis : `${A.view.axis} (${A.esc(benchLabel)})` }, range: [-maxX * 0.04, maxX * 1.08], zeroline: true, gridcolor: "#e6e8eb" },
        yaxis: { title: { text: "Quality (0–100)" }, gridcolor: "#e6e8eb" },
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
      gd.setAttribute("aria-label", `Pareto chart of ${rows.length} builds. On the frontier: ${front.map((r) => r.name).join(", ")}.`);
      gd.setAttribute("data-drawn", String(Date.now()));
    },
    /** Ring the selected build's bubble and show its tooltip. */
    highlight(model) {
      const at = traceOf[model];
      if (!gd || !at || !window.Plotly) return;
      const r = current[at[0]][at[1]];
      window.Plotly.restyle(gd, { x: [[r.throughput_tps]], y: [[r.quality_raw]] }, [4]);
      window.Plotly.Fx.hover(gd, [{ curveNumber: at[0], pointNumber: at[1] }]);
    },
  };
})(window.Arena);
