// Machines: one row per configured machine, updated in place by the `machines` event every second.
import { h, setText, table, badge, updateBadge, ageText, duration, number, pageHead, absoluteTime } from "../js/ui.js";

export async function mount(root, { api, admin, navigate }) {
  const search = h("input", { type: "search", id: "machine-filter", placeholder: "Filter by id, protocol or address",
                              "aria-label": "Filter machines" });
  const stateFilter = h("select", { id: "machine-state-filter", "aria-label": "Filter by state" },
    h("option", { value: "" }, "Every state"),
    ["connected", "connecting", "backoff", "stopped", "disabled"].map((s) => h("option", { value: s }, s)));
  const summary = h("span", { class: "muted small", "data-test": "machines-summary" });
  const list = table([{ label: "Machine" }, { label: "Protocol" }, { label: "Address" }, { label: "State" },
                      { label: "Last data" }, { label: "Rate", num: true }, { label: "Observations", num: true },
                      { label: "Rejects", num: true }], { id: "machines-table", "data-test": "machines-table" });
  const add = admin ? h("a", { class: "button", href: "#/machines/new", id: "add-machine", "data-test": "add-machine" }, "Add a machine") : null;
  root.append(pageHead("Machines", add), h("div", { class: "filters" }, search, stateFilter, summary), list.el);

  const rows = new Map();  // id -> { tr, cells, badge, data }
  let machines = [];

  function rowFor(m) {
    let row = rows.get(m.id);
    if (row) return row;
    const cells = {};
    for (const key of ["id", "type", "address", "state", "last", "rate", "observations", "rejects"]) {
      cells[key] = h("td", { "data-col": key, class: ["rate", "observations", "rejects"].includes(key) ? "num" : undefined });
    }
    const link = h("a", { href: `#/machines/${encodeURIComponent(m.id)}` }, m.id);
    cells.id.append(link);
    const stateBadge = badge(m.state);
    const since = h("div", { class: "small muted" });
    cells.state.append(stateBadge, since);
    const tr = h("tr", { class: "link", "data-machine": m.id }, Object.values(cells));
    tr.addEventListener("click", (e) => { if (e.target.tagName !== "A") navigate(`#/machines/${encodeURIComponent(m.id)}`); });
    row = { tr, cells, badge: stateBadge, since };
    rows.set(m.id, row);
    return row;
  }

  function render() {
    const text = search.value.trim().toLowerCase();
    const wanted = stateFilter.value;
    const shown = [];
    for (const m of machines) {
      const row = rowFor(m);
      const c = row.cells;
      setText(c.type, m.type);
      setText(c.address, m.port ? `${m.address}:${m.port}` : m.address);
      row.badge = updateBadge(row.badge, m.enabled === false ? "disabled" : m.state);
      setText(row.since, m.since ? `since ${duration(Date.now() / 1000 - m.since)}` : (m.detail || ""));
      row.since.title = m.since ? absoluteTime(m.since) : "";
      if (m.detail) row.badge.title = m.detail;
      setText(c.last, ageText(m.last_data_age_s));
      setText(c.rate, m.rate === null || m.rate === undefined ? "—" : `${number(m.rate, 1)} obs/s`);
      setText(c.observations, number(m.observations), true);
      setText(c.rejects, number(m.rejects));
      c.rejects.classList.toggle("bad-text", Boolean(m.rejects));
      const haystack = `${m.id} ${m.type} ${m.address}:${m.port}`.toLowerCase();
      const visible = (!text || haystack.includes(text)) && (!wanted || m.state === wanted);
      row.tr.hidden = !visible;
      if (visible) shown.push(m);
    }
    // Keep the configuration order; touch the DOM only when it differs.
    const order = machines.map((m) => rows.get(m.id).tr);
    if (order.some((tr, i) => list.tbody.children[i] !== tr) || list.tbody.children.length !== order.length) {
      list.tbody.replaceChildren(...order);
    }
    for (const [id, row] of rows) {
      if (!machines.some((m) => m.id === id)) { row.tr.remove(); rows.delete(id); }
    }
    if (!machines.length) {
      list.tbody.replaceChildren(h("tr", {}, h("td", { colspan: 8, class: "empty" },
        "No machine is configured yet.", admin ? " Add one with the button above." : "")));
    }
    const connected = machines.filter((m) => m.state === "connected").length;
    setText(summary, `${machines.length} machines, ${connected} connected` +
                     (shown.length !== machines.length ? `, ${shown.length} shown` : ""));
  }

  search.addEventListener("input", render);
  stateFilter.addEventListener("change", render);
  machines = await api.get("/machines");
  render();
  return { on: { machines: (data) => { machines = data; render(); } } };
}
