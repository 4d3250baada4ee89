// Ticking leaderboard rows to compare: a checkbox per row (table.js asks A.pick.box) and a
// "Compare (n)" button that opens /compare?ids=… for the suite and hardware in view. Live page only.
"use strict";
(function (A) {
  const MAX = 4;
  const picked = [];  // build ids in the order ticked; the first is the reference
  let button = null, hint = null, pickedIn = null;

  /** The suite in view as the board writes it to the URL (absent = the default one). */
  const suiteNow = () => new URLSearchParams(location.search).get("suite");
  /** The hardware in view, likewise: the comparison reads the same hardware's runs. */
  const hardwareNow = () => new URLSearchParams(location.search).get("hardware");
  const viewNow = () => `${suiteNow()}|${hardwareNow()}`;

  function compareUrl() {
    const q = new URLSearchParams({ ids: picked.join(",") });
    if (suiteNow()) q.set("suite", suiteNow());
    if (hardwareNow()) q.set("hardware", hardwareNow());
    return `/compare?${q}`;
  }

  function refresh() {
    if (!button) return;
    button.textContent = `Compare (${picked.length})`;
    button.disabled = picked.length < 2;
    hint.textContent = picked.length < 2 ? `Tick 2 to ${MAX} rows to compare them.`
      : `Reference (first ticked): ${picked[0]}.` + (picked.length >= MAX ? ` ${MAX} is the most.` : "");
    for (const box of document.querySelectorAll("input.pick")) {
      box.disabled = !box.checked && picked.length >= MAX;
    }
  }

  function toggle(model, on) {
    const at = picked.indexOf(model);
    if (on && at < 0 && picked.length < MAX) picked.push(model);
    if (!on && at >= 0) picked.splice(at, 1);
    refresh();
  }

  A.pick = {
    /** The checkbox of one row (null on the offline snapshot, which has no compare page). */
    box(row) {
      if (A.offline) return null;
      if (viewNow() !== pickedIn) { picked.length = 0; pickedIn = viewNow(); refresh(); }  // builds compare within one suite and hardware
      const on = picked.includes(row.model);
      const box = A.el("input", { type: "checkbox", class: "pick", checked: on,
        disabled: !on && picked.length >= MAX, "aria-label": `Compare ${row.name}`, title: "Tick to compare" });
      box.addEventListener("click", (ev) => ev.stopPropagation());  // ticking does not select the row
      box.addEventListener("keydown", (ev) => ev.stopPropagation());
      box.addEventListener("change", () => toggle(row.model, box.checked));
      return box;
    },
  };

  function start() {
    const bar = document.getElementById("pick-bar");
    if (!bar || A.offline) return;
    button = A.el("button", { type: "button", id: "compare-btn", class: "method-btn", disabled: true,
      onclick: () => { if (picked.length >= 2) location.href = compareUrl(); } }, "Compare (0)");
    hint = A.el("span", { class: "pick-hint", "aria-live": "polite" });
    pickedIn = viewNow();
    A.fill(bar, [button, hint]);
    bar.hidden = false;
    refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window.Arena);
