// The offline snapshot (arena export --format html): the page's API calls answered from the
// rankings embedded in the file, so it needs no server and makes no request.
"use strict";
(function (A) {
  const D = JSON.parse(document.getElementById("arena-snapshot").textContent);
  A.offline = true;

  /** The embedded answer for one of the page's API URLs; an Error names what the file lacks. */
  function answer(url) {
    const u = new URL(url, location.href);
    const q = u.searchParams;
    switch (u.pathname.replace(/^.*\/api\//, "/api/")) {
      case "/api/presets": return D.presets;
      case "/api/buckets": return D.buckets;
      case "/api/summary": return D.summary;
      case "/api/benches": return D.benches;
      case "/api/hardware": return [];  // the VRAM budget control is hidden offline

      case "/api/leaderboard": {
        if (q.has("wq")) throw new Error("custom weights need the live page (arena serve); this snapshot holds the presets' weights");
        if (q.has("max_vram_gb")) throw new Error("a VRAM budget needs the live page (arena serve); this snapshot ranks every build");
        const suite = q.get("suite") || D.summary.suite;
        const first = ((D.summary.suites.find((s) => s.id === suite) || {}).hardware || [])[0];
        if (q.has("hardware") && (!first || q.get("hardware") !== first.id)) throw new Error(`another hardware needs the live page (arena serve); this snapshot ranks ${first ? first.name : "the default hardware"}`);
        const board = ((D.boards[suite] || {})[q.get("preset") || "aggregate"] || {})[q.get("bucket") || "all"];
        if (!board) throw new Error(`this snapshot has no ranking for suite ${suite}, preset ${q.get("preset")}, bucket ${q.get("bucket")}`);
        return board;
      }
      default: throw new Error(`${u.pathname} is not in this snapshot`);
    }
  }

  A.getJSON = async function (url) {
    return answer(url);
  };

  // history.pushState on a file:// page may be refused (opaque origin); the view still switches.
  for (const name of ["pushState", "replaceState"]) {
    const orig = history[name].bind(history);
    history[name] = function (...args) {
      try { orig(...args); } catch (err) { /* the URL just does not follow the view */ }
    };
  }
})(window.Arena);
