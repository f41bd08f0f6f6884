// Logs: the recent lines the edge keeps, filtered by level and component, following live (`log`).
import { h, pageHead, absoluteTime, setText } from "../js/ui.js";

const kLevels = ["trace", "debug", "info", "warn", "error", "critical"];
const kMaxLines = 1000;

export async function mount(root, { api, admin }) {
  const level = h("select", { id: "log-level", "aria-label": "Least severe level" },
                  kLevels.map((l) => h("option", { value: l }, `${l} and above`)));
  level.value = "info";
  const component = h("input", { id: "log-component", type: "search", placeholder: "Component, e.g. collector", "aria-label": "Component" });
  const follow = h("input", { id: "log-follow", type: "checkbox", checked: true });
  const count = h("span", { class: "muted small" });
  const lines = h("div", { class: "log-lines", id: "log-lines", "data-test": "log-lines" });
  const download = admin ? h("a", { class: "button quiet", href: "/api/v1/diagnostics", id: "diagnostics", download: "spindle-diagnostics.json" },
                             "Download diagnostics bundle") : null;
  root.append(pageHead("Logs", download),
              h("div", { class: "filters" }, level, component,
                h("label", { class: "small" }, follow, " Follow live"), count),
              lines);

  // The edge says "warning" where the filter says "warn".
  const rank = (name) => kLevels.indexOf(name === "warning" ? "warn" : name);
  const wanted = (line) => rank(line.level) >= rank(level.value) &&
                           (!component.value.trim() || (line.component || "").includes(component.value.trim()));
  function row(line) {
    return h("div", { class: "log-line" },
             h("span", { class: "muted" }, absoluteTime(line.time)),
             h("span", { class: `lvl-${line.level === "warning" ? "warn" : line.level}` }, line.level),
             h("span", {}, line.component),
             h("span", {}, line.message));
  }
  function scroll() { if (follow.checked) lines.scrollTop = lines.scrollHeight; }
  async function load() {
    const params = new URLSearchParams({ level: level.value, limit: "500" });
    if (component.value.trim()) params.set("component", component.value.trim());
    const list = await api.get(`/logs?${params}`);
    lines.replaceChildren(...list.map(row));
    if (!list.length) lines.append(h("div", { class: "empty" }, "No log line matches."));
    setText(count, `${list.length} lines`);
    requestAnimationFrame(scroll);  // after the page is in the document and has a height
  }
  let timer = 0;
  level.addEventListener("change", load);
  component.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 300); });
  await load();
  return {
    on: {
      log(data) {
        if (!follow.checked) return;
        const list = (Array.isArray(data) ? data : [data]).filter(wanted);
        if (!list.length) return;
        const empty = lines.querySelector(".empty");
        if (empty) empty.remove();
        lines.append(...list.map(row));
        while (lines.children.length > kMaxLines) lines.firstChild.remove();
        setText(count, `${lines.children.length} lines`);
        scroll();
      },
    },
    dispose() { clearTimeout(timer); },
  };
}
