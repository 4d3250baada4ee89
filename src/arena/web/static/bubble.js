// The panel under the chart: what a clicked or tapped bubble stands for, shown next to the chart
// so a phone user reads it without the page scrolling to the table.
"use strict";
(function (A) {
  let box = null, onShowRow = null, shown = null;

  A.bubble = {
    /** node: the panel element; showRow(model): select and scroll to the build's table row. */
    init(node, showRow) {
      box = node;
      onShowRow = showRow;
    },
    /** Fill the panel for one row; query is the view a model link keeps. */
    show(row, bench, query) {
      if (!box || !row) return;
      shown = row.model;
      const href = `/models/${encodeURIComponent(row.model)}` + (query ? `?${query}` : "");
      const title = A.offline ? A.el("span", { text: row.name }) : A.el("a", { href, text: row.name });
      const facts = A.el("dl", { class: "facts" });
      for (const [k, v] of A.chart.facts(row, bench)) {
        facts.appendChild(A.el("dt", { text: k }));
        facts.appendChild(A.el("dd", { text: v }));
      }
      A.fill(box, [
        A.el("h3", { class: "bubble-title" }, [title]),
        facts,
        A.el("div", { class: "bubble-actions" }, [
          A.el("button", { type: "button", class: "pill", text: "Show in the table", onclick: () => onShowRow(row.model) }),
          A.el("button", { type: "button", class: "pill", text: "Close", onclick: () => A.bubble.hide() }),
        ]),
      ]);
      box.hidden = false;
      box.dataset.model = row.model;
    },
    hide() {
      if (!box) return;
      shown = null;
      box.hidden = true;
      box.removeAttribute("data-model");
      A.fill(box, []);
    },
    /** The model the panel shows, or null. */
    get model() { return shown; },
  };
})(window.Arena);
