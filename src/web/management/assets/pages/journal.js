// Journal: what `spindle journal status --json` reports, shown as facts and tables; verify (admin).
import { h, pageHead, badge, bytes, number, errorBox, table, duration } from "../js/ui.js";

function label(key) {
  return key.replace(/_(s|ms)$/, " time").replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/// A figure with its unit, chosen by the key's name (bytes, seconds, ms), else the plain value.
function show(key, value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return badge(value ? "yes" : "no", key.includes("stall") || key.includes("corrupt") ? (value ? "bad" : "ok") : "idle");
  if (typeof value === "number") {
    if (/bytes$|_size$|^size$/.test(key)) return bytes(value);
    if (/_s$|(^|_)age($|_)/.test(key)) return duration(value);
    if (/_ms$/.test(key)) return `${number(value, 1)} ms`;
    return number(value, 3);
  }
  if (typeof value === "object") return h("code", {}, JSON.stringify(value));
  if (value === "") return "none";
  return String(value);
}

function render(object, nested = false) {
  const facts = h("dl", { class: "kv" });
  const tables = [];
  for (const [key, value] of Object.entries(object || {})) {
    if (Array.isArray(value) && value.length && typeof value[0] === "object") {
      // The name first, then the figures in the order the edge gives them.
      const columns = Object.keys(value[0]).sort((a, b) => (b === "name") - (a === "name"));
      const t = table(columns.map((c) => ({ label: label(c) })), { "data-test": `journal-${key}` });
      t.tbody.append(...value.map((row) => h("tr", {}, columns.map((c) => h("td", {}, show(c, row[c]))))));
      tables.push(h("section", {}, h("h2", {}, label(key)), t.el));
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      tables.push(h("section", { class: "panel" }, h("h2", {}, label(key)), render(value, true)));
    } else {
      facts.append(h("dt", {}, label(key)), h("dd", {}, Array.isArray(value) ? value.join(", ") || "none" : show(key, value)));
    }
  }
  if (nested) return h("div", {}, facts.children.length ? facts : null, tables);
  return h("div", {}, facts.children.length ? h("section", { class: "panel" }, facts) : null, tables);
}

export async function mount(root, { api, admin }) {
  const body = h("div", { id: "journal" }, render(await api.get("/journal")));
  const result = h("div", { id: "journal-verify-result" });
  let verify = null;
  if (admin) {
    verify = h("button", { class: "button", type: "button", id: "journal-verify" }, "Verify now");
    verify.addEventListener("click", async () => {
      verify.disabled = true;
      result.replaceChildren(h("p", { class: "muted" }, "Reading the whole journal…"));
      try {
        const r = await api.post("/journal/verify", {});
        result.replaceChildren(h("div", { class: "panel" }, badge(r.corrupt ? "corrupt" : "ok", r.corrupt ? "bad" : "ok"),
          ` ${number(r.records)} records, ${number(r.observations)} observations, ${number(r.corrupt)} corrupt.`,
          r.problems && r.problems.length ? h("ul", {}, r.problems.map((p) => h("li", {}, typeof p === "string" ? p : JSON.stringify(p)))) : null));
      } catch (error) {
        result.replaceChildren(errorBox(error));
      } finally {
        verify.disabled = false;
      }
    });
  }
  root.append(pageHead("Journal", verify), result, body);
  return {};
}
