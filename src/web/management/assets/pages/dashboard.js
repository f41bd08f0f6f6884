// Dashboard: the edge's health at a glance, updated by the `edge` event every 2 s.
import { h, setText, card, table, badge, bytes, duration, timeCell, number, pageHead, absoluteTime } from "../js/ui.js";

export async function mount(root, { api }) {
  const machines = card("Machines connected", "machines-connected");
  const uplinks = card("Uplinks", "uplinks");
  const journal = card("Journal backlog", "journal-depth");
  const oldest = card("Oldest undelivered", "journal-oldest");
  const evictions = card("Evictions", "evictions");
  const clock = card("Clock offset", "clock-offset");
  const disk = card("Disk free", "disk-free");
  const uptime = card("Uptime", "uptime");
  const identity = h("dl", { class: "kv", "data-test": "identity" });
  const uplinkTable = table([{ label: "Uplink" }, { label: "State" }, { label: "Lag", num: true },
                             { label: "Delivered", num: true }, { label: "Last error" }], { "data-test": "uplinks-table" });
  const problems = table([{ label: "Time" }, { label: "Level" }, { label: "Component" }, { label: "Message" }],
                         { "data-test": "problems" });

  root.append(pageHead("Dashboard"),
              h("div", { class: "cards" }, machines.el, uplinks.el, journal.el, oldest.el, evictions.el,
                clock.el, disk.el, uptime.el),
              h("div", { class: "grid2" },
                h("section", { class: "panel" }, h("h2", {}, "This edge"), identity),
                h("section", { class: "panel" }, h("h2", {}, "Uplinks"), uplinkTable.el)),
              h("section", {}, h("h2", {}, "Recent problems"), problems.el));

  let last = null;
  function update(edge) {
    last = edge;
    const m = edge.machines || {};
    setText(machines.value, `${m.connected ?? "—"} / ${m.total ?? "—"}`, true);
    machines.value.dataset.connected = String(m.connected ?? "");
    machines.value.dataset.total = String(m.total ?? "");
    machines.sub.replaceChildren(m.down ? badge(`${m.down} down`, "bad") : badge("all up", "ok"));

    const ups = edge.uplinks || [];
    const connected = ups.filter((u) => u.connected).length;
    setText(uplinks.value, ups.length ? `${connected} / ${ups.length}` : "none");
    uplinks.sub.replaceChildren(!ups.length ? badge("none configured", "idle")
                                : connected === ups.length ? badge("connected", "ok") : badge("disconnected", "bad"));

    const j = edge.journal || {};
    setText(journal.value, j.depth === null || j.depth === undefined ? "—" : `${number(j.depth)} obs`, true);
    setText(journal.sub, `${bytes(j.bytes)} on disk`);
    const waiting = j.oldest_age_s !== null && j.oldest_age_s !== undefined && j.depth !== 0;
    setText(oldest.value, waiting ? duration(j.oldest_age_s) : "none");
    oldest.sub.replaceChildren(j.stalled ? badge("stalled", "bad") : badge(j.problem || "flowing", j.problem ? "warn" : "ok"));
    setText(evictions.value, number(j.evictions));
    evictions.sub.replaceChildren(j.evictions ? badge("data lost", "bad") : badge("none", "ok"));

    const c = edge.clock || {};
    setText(clock.value, c.offset_ms === null || c.offset_ms === undefined ? "—" : `${number(c.offset_ms, 1)} ms`);
    clock.sub.replaceChildren(c.flagged ? badge("observations flagged", "bad") : badge(c.state || "unknown"),
                              c.reason ? ` ${c.reason}` : "");
    const d = edge.disk || {};
    setText(disk.value, bytes(d.free_bytes));
    setText(disk.sub, d.total_bytes ? `of ${bytes(d.total_bytes)} (${Math.round((100 * d.free_bytes) / d.total_bytes)} % free)` : "");
    setText(uptime.value, duration(edge.uptime_s));
    setText(uptime.sub, edge.started ? `since ${absoluteTime(edge.started)}` : "");

    const p = edge.process || {};
    identity.replaceChildren(
      h("dt", {}, "Edge"), h("dd", { "data-test": "edge-name" }, edge.edge),
      h("dt", {}, "Version"), h("dd", {}, edge.version),
      h("dt", {}, "Started"), h("dd", {}, absoluteTime(edge.started)),
      h("dt", {}, "Process"), h("dd", {}, `${number(p.cpu_percent, 1)} % CPU, ${bytes(p.rss_bytes)} memory`),
      h("dt", {}, "Clock server"), h("dd", {}, c.server || "—"));

    uplinkTable.tbody.replaceChildren(...(ups.length ? ups.map((u) => h("tr", {},
      h("td", {}, u.name), h("td", {}, badge(u.connected ? "connected" : "disconnected")),
      h("td", { class: "num" }, `${number(u.lag)} obs`, u.lag_s ? ` (${duration(u.lag_s)})` : ""),
      h("td", { class: "num" }, number(u.delivered)), h("td", {}, u.last_error || "—")))
      : [h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No uplink is configured."))]));

    const rows = (edge.problems || []).map((p) => {
      const when = h("td", { "data-col": "time" });
      timeCell(when, p.time);
      return h("tr", {}, when, h("td", {}, badge(p.level)), h("td", {}, h("code", {}, p.component)),
               h("td", {}, p.message));
    });
    problems.tbody.replaceChildren(...(rows.length ? rows
      : [h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No warnings or errors recently."))]));
  }

  update(await api.get("/edge"));
  return { on: { edge: update }, tick() { if (last) uptimeTick(); } };

  function uptimeTick() { setText(uptime.value, duration(last.uptime_s)); }
}
