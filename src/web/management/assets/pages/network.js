// Network: DNS (preferred, fallback, in use), NTP and the clock offset, the proxy; the edit form
// (admin); the network check with its causes and remedies.
import { h, pageHead, badge, number, errorBox, toast, table, listInput, parseList, setText } from "../js/ui.js";

function list(values) {
  return values && values.length ? values.join(", ") : "none";
}

export async function mount(root, { api, admin }) {
  const [network, profiles] = await Promise.all([api.get("/network"), api.get("/netcheck/profiles")]);
  const facts = h("div", { class: "grid2" });

  function renderFacts(n) {
    const dns = n.dns || {};
    const used = dns.in_use || {};
    const ntp = n.ntp || {};
    facts.replaceChildren(
      h("section", { class: "panel", "data-test": "dns" }, h("h2", {}, "DNS"),
        h("dl", { class: "kv" },
          h("dt", {}, "Preferred servers"), h("dd", { id: "dns-preferred-now" }, list(dns.preferred)),
          h("dt", {}, "Fallback servers"), h("dd", { id: "dns-servers-now" }, list(dns.servers)),
          h("dt", {}, "System resolver"), h("dd", {}, dns.resolv_conf ? h("code", {}, dns.resolv_conf) : "—"),
          h("dt", {}, "In use now"), h("dd", { id: "dns-in-use" }, used.server || "—",
            used.source ? ` (${used.source}) ` : " ", used.last ? badge(used.last) : null))),
      h("section", { class: "panel", "data-test": "ntp" }, h("h2", {}, "Time (NTP)"),
        h("dl", { class: "kv" },
          h("dt", {}, "Servers"), h("dd", { id: "ntp-servers-now" }, list(ntp.servers)),
          h("dt", {}, "Measured offset"), h("dd", {}, ntp.offset_ms === null || ntp.offset_ms === undefined ? "not measured" : `${number(ntp.offset_ms, 1)} ms`),
          h("dt", {}, "State"), h("dd", {}, badge(ntp.state || "unknown"), ntp.server ? ` from ${ntp.server}` : ""),
          h("dt", {}, "HTTP proxy"), h("dd", { id: "proxy" }, proxyFacts(n.proxy)))));
  }
  renderFacts(network);
  root.append(pageHead("Network"), facts);

  if (admin) {
    const preferred = h("input", { id: "dns-preferred", value: listInput(network.dns && network.dns.preferred), spellcheck: "false" });
    const servers = h("input", { id: "dns-servers", value: listInput(network.dns && network.dns.servers), spellcheck: "false" });
    const ntpServers = h("input", { id: "ntp-servers", value: listInput(network.ntp && network.ntp.servers), spellcheck: "false" });
    const proxy = network.proxy || {};
    const proxyUrl = h("input", { id: "proxy-url", value: proxy.setting || "", spellcheck: "false", placeholder: "proxy.plant:3128" });
    const noProxy = h("input", { id: "no-proxy", value: listInput(proxy.no_proxy), spellcheck: "false" });
    const proxyUser = h("input", { id: "proxy-user", autocomplete: "off", spellcheck: "false" });
    const proxyPassword = h("input", { id: "proxy-password", type: "password", autocomplete: "new-password" });
    const clearCredentials = h("input", { id: "proxy-clear", type: "checkbox" });
    const errors = h("div", { id: "network-errors" });
    const save = h("button", { class: "button", type: "submit", id: "network-save" }, "Save and apply");
    const form = h("form", { class: "form", id: "network-form", novalidate: true },
      h("div", { class: "field" }, h("label", { for: "dns-preferred" }, "Preferred DNS servers"), preferred,
        h("span", { class: "hint" }, "Asked first, in this order. IP addresses separated by commas.")),
      h("div", { class: "field" }, h("label", { for: "dns-servers" }, "Fallback DNS servers"), servers,
        h("span", { class: "hint" }, "Asked when the preferred ones do not answer.")),
      h("div", { class: "field" }, h("label", { for: "ntp-servers" }, "NTP servers"), ntpServers),
      h("div", { class: "field" }, h("label", { for: "proxy-url" }, "HTTP proxy"), proxyUrl,
        h("span", { class: "hint" }, "For the edge's HTTPS traffic (NATS on 7422 goes direct): host:port of an HTTP proxy, \"env\" to take it from the environment, empty for none.")),
      h("div", { class: "field" }, h("label", { for: "no-proxy" }, "Go direct to"), noProxy,
        h("span", { class: "hint" }, "Hosts, domains (.plant.local), addresses or networks (10.0.0.0/8) that skip the proxy.")),
      h("div", { class: "field" }, h("label", { for: "proxy-user" }, "Proxy user"), proxyUser,
        h("span", { class: "hint" }, proxy.credentials ? "Credentials are set; type new ones to replace them." : "Only if the proxy asks for a login.")),
      h("div", { class: "field" }, h("label", { for: "proxy-password" }, "Proxy password"), proxyPassword,
        h("span", { class: "hint" }, "Kept in a file only the edge can read; never shown again.")),
      proxy.credentials ? h("div", { class: "field" }, h("label", { for: "proxy-clear" }, clearCredentials, " Remove the proxy credentials")) : null,
      errors, h("div", { class: "actions" }, save));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.replaceChildren();
      save.disabled = true;
      try {
        const proxyChange = { url: proxyUrl.value.trim(), no_proxy: parseList(noProxy.value) };
        if (clearCredentials.checked) proxyChange.clear_credentials = true;
        else if (proxyUser.value) { proxyChange.user = proxyUser.value; proxyChange.password = proxyPassword.value; }
        const answer = await api.put("/network", {
          dns: { preferred: parseList(preferred.value), servers: parseList(servers.value) },
          ntp: { servers: parseList(ntpServers.value) }, proxy: proxyChange });
        proxyPassword.value = "";
        renderFacts(await api.get("/network"));
        const pending = (answer && answer.pending_restart) || [];
        const refused = (answer && answer.refused) || [];
        const words = refused.length ? `Saved, but not applied: ${refused.join(", ")}.`
                    : pending.length ? `Saved; applied after a restart of the edge: ${pending.join(", ")}.`
                    : "Saved and applied.";
        toast(words, refused.length > 0);
        errors.replaceChildren(h("div", { class: "note", "data-test": "network-saved" }, words));
      } catch (error) {
        errors.replaceChildren(errorBox(error));
      } finally {
        save.disabled = false;
      }
    });
    root.append(h("section", { class: "panel" }, h("h2", {}, "Change DNS and NTP"), form));
  }

  // The network check.
  const profile = h("select", { id: "netcheck-profile", "aria-label": "Profile" },
                    profiles.map((p) => h("option", { value: p }, p)));
  if (profiles.includes("machines")) profile.value = "machines";
  const run = h("button", { class: "button", type: "button", id: "netcheck-run" }, "Run the check");
  const summary = h("div", { id: "netcheck-summary", "data-test": "netcheck-summary" });
  const results = table([{ label: "Result" }, { label: "Check" }, { label: "Target" }, { label: "What" },
                         { label: "Cause" }, { label: "Remedy" }, { label: "Time", num: true }],
                        { id: "netcheck-table", "data-test": "netcheck-table" });
  results.tbody.append(h("tr", {}, h("td", { colspan: 7, class: "empty" }, admin ? "Not run yet." : "Only an administrator can run the check.")));
  run.hidden = !admin;
  run.addEventListener("click", async () => {
    run.disabled = true;
    setText(run, "Checking…");
    summary.replaceChildren();
    try {
      const report = await api.post("/netcheck", { profile: profile.value });
      const s = report.summary || {};
      summary.replaceChildren(h("p", {}, badge(report.ok ? "passed" : "failed"),
        ` profile ${report.profile}: ${s.pass ?? 0} passed, ${s.warn ?? 0} warnings, ${s.fail ?? 0} failed, ${s.skip ?? 0} skipped` +
        ` in ${number(report.elapsed_ms, 0)} ms.`),
        ...(report.notes || []).map((note) => h("p", { class: "note small" }, note)));
      const rows = (report.checks || []).map((c) => h("tr", { "data-check": c.id || "" },
        h("td", {}, badge(c.status)), h("td", {}, c.kind), h("td", {}, h("code", {}, c.target),
          c.address && !String(c.target).includes(c.address) ? h("div", { class: "small muted" }, c.address) : null),
        h("td", {}, c.what || "", c.detail ? h("div", { class: "small muted" }, c.detail) : null),
        h("td", {}, c.cause || "—"), h("td", {}, c.remedy || "—"),
        h("td", { class: "num" }, c.elapsed_ms === undefined ? "—" : `${number(c.elapsed_ms, 0)} ms`)));
      results.tbody.replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 7, class: "empty" }, "The profile has no checks."))]));
    } catch (error) {
      summary.replaceChildren(errorBox(error));
    } finally {
      run.disabled = false;
      setText(run, "Run the check");
    }
  });
  root.append(h("section", {}, h("div", { class: "page-head" }, h("h2", {}, "Network check"), profile, run),
                summary, results.el));
  return {};
}

function proxyFacts(proxy) {
  if (!proxy) return badge("not configured", "idle");
  if (proxy.problem) return [badge("misconfigured", "bad"), ` ${proxy.problem}`];
  if (!proxy.in_use) return [badge("none", "idle"), proxy.setting === "env" ? " (none in the environment)" : " (direct)"];
  const direct = proxy.in_use.no_proxy && proxy.in_use.no_proxy.length ? `; direct to ${proxy.in_use.no_proxy.join(", ")}` : "";
  return [proxy.in_use.description, proxy.in_use.source === "environment" ? " (from the environment)" : "", direct];
}
