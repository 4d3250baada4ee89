// A same-origin API reference rendered from /openapi.json (no CDN-hosted Swagger UI).
"use strict";
(function (A) {
  /** Text with its `backtick` spans as <code> elements (as text nodes, never HTML). */
  function withCode(text) {
    return String(text || "").split(/`([^`]*)`/).map((part, i) => (i % 2 ? A.el("code", { text: part }) : part));
  }

  async function start() {
    const main = document.getElementById("endpoints");
    let spec;
    try { spec = await A.getJSON("/openapi.json"); } catch (err) { main.textContent = `Could not load /openapi.json: ${err.message}`; return; }
    const sections = [A.el("p", {}, [`${spec.info.title} ${spec.info.version}: `, ...withCode(spec.info.description)])];
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const params = (op.parameters || []).map((p) => A.el("li", {}, [A.el("code", { text: p.name }), ` (${p.in}${p.required ? ", required" : ""}) `, ...withCode(p.description)]));
        const example = path.includes("{") ? null : A.el("a", { href: path, text: "try it" });
        sections.push(A.el("section", { class: "bench" }, [
          A.el("h2", {}, [A.el("code", { text: `${method.toUpperCase()} ${path}` })]),
          A.el("p", {}, withCode(op.summary)), A.el("p", { class: "prov" }, withCode(op.description)),
          params.length ? A.el("ul", {}, params) : null, example,
        ]));
      }
    }
    A.fill(main, sections);
    document.body.dataset.ready = "1";
  }
  document.addEventListener("DOMContentLoaded", start);
})(window.Arena);
