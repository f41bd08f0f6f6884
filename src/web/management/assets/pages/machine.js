// One machine: its items and conditions updating live (`values` events for this machine), a plot
// of one numeric item (history from the state ring, then extended live), its raw keys (before the
// script), its script and config.
import { h, setText, table, badge, updateBadge, ageText, duration, number, pageHead, timeCell, absoluteTime, errorBox, toast } from "../js/ui.js";
import { Plot } from "../js/plot.js";

const kPlotSeconds = 600;

function valueText(item) {
  if (item.value === null || item.value === undefined) return "UNAVAILABLE";
  return typeof item.value === "number" ? number(item.value, 4) : String(item.value);
}

export async function mount(root, { api, admin, params }) {
  const id = params[0];
  const m = await api.get(`/machines/${encodeURIComponent(id)}`);

  const stateBadge = { el: badge(m.state) };
  const actions = [];
  const status = h("div", { id: "machine-action-status" });
  if (admin) {
    actions.push(h("a", { class: "button quiet", href: `#/machines/${encodeURIComponent(id)}/edit`, id: "edit-machine" }, "Edit"));
    const restart = h("button", { class: "button", type: "button", id: "restart-machine", "data-test": "restart" }, "Restart collector");
    restart.addEventListener("click", async () => {
      if (!confirm(`Restart the collector of ${id}? Its connection is closed and opened again.`)) return;
      restart.disabled = true;
      status.replaceChildren();
      try {
        await api.post(`/machines/${encodeURIComponent(id)}/restart`, {});
        toast(`${id}: collector restarted.`);
      } catch (error) {
        status.replaceChildren(errorBox(error));
      } finally {
        restart.disabled = false;
      }
    });
    actions.push(restart);
  }
  const head = pageHead(`Machine ${id}`, stateBadge.el, ...actions);
  head.querySelector("h1").dataset.test = "machine-title";

  const facts = h("dl", { class: "kv", "data-test": "machine-facts" });
  const numeric = m.items.filter((i) => i.numeric);
  const select = h("select", { id: "plot-item", "data-test": "plot-item", "aria-label": "Item to plot" },
                   h("option", { value: "" }, numeric.length ? "Choose a numeric item" : "No numeric item"),
                   numeric.map((i) => h("option", { value: i.key }, i.key)));
  const canvas = h("canvas", { class: "plot", id: "plot", "data-test": "plot", width: 800, height: 260 });
  const plotNote = h("span", { class: "muted small", id: "plot-note" });
  const plot = new Plot(canvas, { windowSeconds: kPlotSeconds });
  const items = table([{ label: "Key" }, { label: "Category" }, { label: "Value" }, { label: "Time" }],
                      { id: "items-table", "data-test": "items-table" });
  const conditions = table([{ label: "Condition" }, { label: "Level" }, { label: "Code" }, { label: "Text" }],
                           { id: "conditions-table", "data-test": "conditions-table" });
  // Raw keys: what the collector sends before the script, asked for only while the panel is
  // open (the edge records them only while someone watches).
  const raw = table([{ label: "Raw key" }, { label: "Value" }, { label: "Time" }, { label: "Goes to" }],
                    { id: "raw-table", "data-test": "raw-table" });
  const rawNote = h("p", { class: "muted small", id: "raw-note" }, "");
  const rawPanel = h("details", { class: "panel", id: "raw-keys", "data-test": "raw-keys" },
                     h("summary", {}, h("h2", { class: "inline" }, "Raw keys")), rawNote, raw.el);
  let rawTimer = null;
  async function refreshRaw() {
    rawTimer = null;
    if (!rawPanel.open) return;
    try {
      const answer = await api.get(`/machines/${encodeURIComponent(id)}/raw`);
      const keys = answer.keys || [];
      raw.tbody.replaceChildren(...(keys.length ? keys.map((k) => {
        const time = h("td", {});
        timeCell(time, k.time);
        return h("tr", { "data-key": k.key }, h("td", {}, h("code", {}, k.key)), h("td", {}, valueText(k)), time,
                 h("td", {}, k.published ? badge("stored as sent", "ok") : badge("read by the script", "idle")));
      }) : [h("tr", {}, h("td", { colspan: 4, class: "empty" }, "Waiting for the collector's next values…"))]));
      setText(rawNote, `${keys.length} keys, as the collector sent them before the adapter script.`);
    } catch (error) {
      setText(rawNote, error.message);
    }
    if (rawPanel.open) rawTimer = setTimeout(refreshRaw, 2000);
  }
  rawPanel.addEventListener("toggle", () => {
    if (rawPanel.open && rawTimer === null) refreshRaw();
  });
  const script = h("dl", { class: "kv", "data-test": "script-counters" });
  const scriptText = h("pre", { id: "script-text" });
  const config = h("pre", { id: "machine-config" });

  root.append(head, status,
    h("section", { class: "panel" }, facts),
    h("section", { class: "panel" }, h("div", { class: "page-head" }, h("h2", {}, "Plot"), select, plotNote),
      h("div", { class: "plot-wrap" }, canvas)),
    h("div", { class: "grid2" },
      h("section", {}, h("h2", {}, "Items"), items.el),
      h("section", {}, h("h2", {}, "Conditions"), conditions.el)),
    rawPanel,
    h("div", { class: "grid2" },
      h("section", { class: "panel" }, h("h2", {}, "Adapter script"), script, h("p"), scriptText),
      h("section", { class: "panel" }, h("h2", {}, "Configuration"), config)));

  function updateFacts(row) {
    stateBadge.el = updateBadge(stateBadge.el, row.enabled === false ? "disabled" : row.state);
    facts.replaceChildren(
      h("dt", {}, "Protocol"), h("dd", {}, row.type),
      h("dt", {}, "Address"), h("dd", {}, row.port ? `${row.address}:${row.port}` : row.address),
      h("dt", {}, "State"), h("dd", { title: row.since ? absoluteTime(row.since) : "" },
        badge(row.enabled === false ? "disabled" : row.state),
        row.since ? ` since ${duration(Date.now() / 1000 - row.since)}` : "", row.detail ? ` — ${row.detail}` : ""),
      h("dt", {}, "Last data"), h("dd", {}, ageText(row.last_data_age_s)),
      h("dt", {}, "Rate"), h("dd", {}, row.rate === null || row.rate === undefined ? "—" : `${number(row.rate, 1)} obs/s`),
      h("dt", {}, "Observations"), h("dd", { "data-test": "machine-observations" }, number(row.observations)),
      h("dt", {}, "Rejects"), h("dd", {}, number(row.rejects)));
  }

  const rows = new Map();  // key -> { tr, value, time, item }
  function updateItem(item) {
    let row = rows.get(item.key);
    if (!row) {
      const value = h("td", { "data-col": "value" });
      const time = h("td", { "data-col": "time" });
      const tr = h("tr", { "data-key": item.key }, h("td", {}, h("code", {}, item.key)), h("td", {}, item.category), value, time);
      row = { tr, value, time, item };
      rows.set(item.key, row);
      const empty = items.tbody.querySelector("td.empty");
      if (empty) empty.parentElement.remove();
      items.tbody.append(tr);
    }
    row.item = item;
    if (item.category === "condition") {
      const levels = (item.conditions || []).map((c) => c.level);
      row.value.replaceChildren(badge(levels.length ? levels.join(", ") : (item.value ?? "unavailable")));
    } else {
      setText(row.value, valueText(item), true);
    }
    timeCell(row.time, item.time);
    if (item.key === select.value && item.numeric) plot.add(item.time, item.value);
  }

  function renderConditions() {
    const list = [];
    for (const { item } of rows.values()) {
      if (item.category !== "condition") continue;
      const active = item.conditions && item.conditions.length ? item.conditions : [{ level: item.value ?? "unavailable" }];
      for (const c of active) {
        list.push(h("tr", {}, h("td", {}, h("code", {}, item.key)), h("td", {}, badge(c.level)),
                    h("td", {}, c.native_code || "—"), h("td", {}, c.text || "")));
      }
    }
    conditions.tbody.replaceChildren(...(list.length ? list
      : [h("tr", {}, h("td", { colspan: 4, class: "empty" }, "This machine reports no condition."))]));
  }

  async function choose(key) {
    plot.setPoints([]);
    setText(plotNote, "");
    if (!key) return;
    try {
      const history = await api.get(`/machines/${encodeURIComponent(id)}/history?item=${encodeURIComponent(key)}&seconds=${kPlotSeconds}`);
      if (select.value !== key) return;
      plot.setPoints(history.points || []);
      setText(plotNote, `${(history.points || []).length} values from the last ${kPlotSeconds / 60} min, then live`);
    } catch (error) {
      setText(plotNote, error.message);
    }
  }
  select.addEventListener("change", () => choose(select.value));

  function updateScript(s) {
    if (!s) { script.replaceChildren(h("dt", {}, "Script"), h("dd", {}, "none")); return; }
    script.replaceChildren(
      h("dt", {}, "Name"), h("dd", {}, h("code", {}, s.name)),
      h("dt", {}, "Runs"), h("dd", {}, number(s.runs)),
      h("dt", {}, "Errors"), h("dd", {}, s.errors ? badge(`${number(s.errors)} errors`, "bad") : badge("no errors", "ok")),
      h("dt", {}, "Last error"), h("dd", {}, s.last_error || "—"));
    setText(scriptText, s.text || "(no text)");
  }

  updateFacts(m);
  for (const item of m.items) updateItem(item);
  if (!m.items.length) items.tbody.append(h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No values yet.")));
  renderConditions();
  updateScript(m.script);
  setText(config, m.config || "");
  if (numeric.length) { select.value = numeric[0].key; choose(numeric[0].key); } else plot.setPoints([]);

  return {
    machine: id,
    on: {
      values(data) {
        const list = Array.isArray(data) ? data : (data.items || []);
        for (const item of list) updateItem(item);
        if (list.some((i) => i.category === "condition")) renderConditions();
        if (data.script) updateScript(data.script);
      },
      machines(list) {
        const row = list.find((r) => r.id === id);
        if (row) updateFacts(row);
      },
    },
    tick() { for (const row of rows.values()) timeCell(row.time, row.item.time); plot.requestDraw(); },
    dispose() { plot.dispose(); clearTimeout(rawTimer); rawPanel.open = false; },
  };
}
