// Cloud link: the NATS connection and the last configuration the cloud sent.
import { h, pageHead, badge, number, timeCell } from "../js/ui.js";

function when(t) {
  if (!t) return h("dd", {}, "never");
  const dd = h("dd", {});
  timeCell(dd, t);
  return dd;
}

export async function mount(root, { api }) {
  const body = h("div", { class: "grid2" });
  function render(cloud) {
    const n = cloud.nats;
    const c = cloud.config || {};
    const nats = n ? h("dl", { class: "kv" },
      h("dt", {}, "State"), h("dd", { "data-test": "nats-state" }, badge(n.state)),
      h("dt", {}, "Link"), h("dd", {}, n.link || "—"),
      h("dt", {}, "Servers"), h("dd", {}, n.servers && n.servers.length ? n.servers.join(", ") : "—"),
      h("dt", {}, "Authentication"), h("dd", {}, n.authentication || "—"),
      h("dt", {}, "Last ack"), when(n.last_ack),
      h("dt", {}, "Lag"), h("dd", {}, n.lag === null || n.lag === undefined ? "—" : `${number(n.lag)} obs`),
      h("dt", {}, "In flight"), h("dd", {}, n.in_flight === null || n.in_flight === undefined ? "—" : `${number(n.in_flight)} obs`),
      h("dt", {}, "Last error"), h("dd", {}, n.last_error || "none"))
      : h("p", { class: "muted", "data-test": "nats-state" }, badge("not configured", "idle"), " This edge has no NATS uplink.");
    const rejected = c.rejected_version !== null && c.rejected_version !== undefined && c.rejected_version !== "";
    const config = h("dl", { class: "kv" },
      h("dt", {}, "Version in force"), h("dd", {}, c.version ?? "—"),
      h("dt", {}, "Source"), h("dd", {}, c.source || "—"),
      h("dt", {}, "Applied"), when(c.applied_at),
      h("dt", {}, "Last rejected"), h("dd", {}, rejected ? [badge("rejected"), ` version ${c.rejected_version}: ${c.error || ""}`] : badge("none", "ok")),
      h("dt", {}, "Waits for restart"), h("dd", {}, c.pending_restart && c.pending_restart.length ? c.pending_restart.join(", ") : "nothing"),
      h("dt", {}, "Refused"), h("dd", {}, c.refused && c.refused.length ? c.refused.join(", ") : "nothing"));
    body.replaceChildren(h("section", { class: "panel" }, h("h2", {}, "NATS connection"), nats),
                         h("section", { class: "panel" }, h("h2", {}, "Configuration from the cloud"), config));
  }
  render(await api.get("/cloud"));
  root.append(pageHead("Cloud link"), body);
  let busy = false;
  return {
    // The cloud state has no event of its own: refresh it with the dashboard's rhythm.
    on: { edge: async () => { if (busy) return; busy = true; try { render(await api.get("/cloud")); } catch (e) { /* shown next time */ } finally { busy = false; } } },
  };
}
