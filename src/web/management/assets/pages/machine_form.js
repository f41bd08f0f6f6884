// Add or edit a machine (admin). The edge validates as `spindle validate` does; a 422 answer lists
// every problem beside the form and nothing is saved.
import { h, pageHead, errorBox, toast } from "../js/ui.js";

// The form's own fields; every other key of the machine block travels in `options` unchanged.
const kFormKeys = new Set(["id", "type", "host", "address", "port", "script", "enabled"]);

function parseConfigOptions(text) {
  // The detail answer gives the block as YAML text; the form keeps only top-level scalar keys it
  // does not show itself, so an edit does not drop them. Nested blocks are not round-tripped.
  const options = {};
  for (const line of (text || "").split("\n")) {
    const m = line.match(/^([A-Za-z_][A-Za-z0-9_]*):\s*(.+?)\s*$/);
    if (!m || kFormKeys.has(m[1]) || m[2] === "***") continue;
    let value = m[2].replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
    if (/^-?\d+(\.\d+)?$/.test(value)) value = Number(value);
    else if (value === "true" || value === "false") value = value === "true";
    options[m[1]] = value;
  }
  return options;
}

export async function mount(root, { api, params, navigate }) {
  const editing = params.length ? params[0] : null;
  const [protocols, current] = await Promise.all([
    api.get("/protocols"),
    editing ? api.get(`/machines/${encodeURIComponent(editing)}`) : Promise.resolve(null),
  ]);

  const type = h("select", { id: "machine-type", name: "type", required: true },
                 protocols.map((p) => h("option", { value: p.type }, `${p.type} — ${p.description}`)));
  const id = h("input", { id: "machine-id", name: "id", required: true, pattern: "[A-Za-z0-9_.-]+",
                          autocomplete: "off", spellcheck: "false" });
  const host = h("input", { id: "machine-host", name: "host", required: true, autocomplete: "off", spellcheck: "false" });
  const port = h("input", { id: "machine-port", name: "port", type: "number", min: 1, max: 65535 });
  const script = h("input", { id: "machine-script", name: "script", autocomplete: "off", spellcheck: "false",
                              placeholder: "the protocol's default script" });
  const enabled = h("input", { id: "machine-enabled", name: "enabled", type: "checkbox", checked: true });
  const portHint = h("span", { class: "hint" });
  const errors = h("div", { id: "machine-form-errors" });
  const submit = h("button", { class: "button", type: "submit", id: "machine-save" }, editing ? "Save and apply" : "Add and start");
  let options = {};

  function fillDefaultPort(force) {
    const p = protocols.find((x) => x.type === type.value);
    if (!p) return;
    portHint.textContent = p.default_port ? `Default for ${p.type}: ${p.default_port}.` : "";
    if (force || !port.value) port.value = p.default_port || "";
  }
  type.addEventListener("change", () => fillDefaultPort(true));

  if (current) {
    type.value = current.type;
    id.value = current.id;
    id.readOnly = true;
    host.value = current.address || "";
    port.value = current.port || "";
    // A built-in script is the protocol's default: left empty, the edge keeps choosing it.
    const name = current.script && current.script.name ? current.script.name : "";
    script.value = name.startsWith("builtin:") ? "" : name;
    enabled.checked = current.enabled !== false;
    options = parseConfigOptions(current.config);
    fillDefaultPort(false);
  } else {
    fillDefaultPort(true);
  }

  const form = h("form", { class: "form", id: "machine-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "machine-type" }, "Protocol"), type),
    h("div", { class: "field" }, h("label", { for: "machine-id" }, "Machine id"), id,
      h("span", { class: "hint" }, "Letters, digits, '.', '_' and '-'; it names the machine everywhere.")),
    h("div", { class: "field" }, h("label", { for: "machine-host" }, "Address"), host,
      h("span", { class: "hint" }, "Host name or IP address of the machine or adapter.")),
    h("div", { class: "field" }, h("label", { for: "machine-port" }, "Port"), port, portHint),
    h("div", { class: "field" }, h("label", { for: "machine-script" }, "Adapter script"), script),
    h("div", { class: "field check" }, enabled, h("label", { for: "machine-enabled" }, "Enabled: collect from this machine")),
    errors,
    h("div", { class: "actions" }, submit,
      h("a", { class: "button quiet", href: editing ? `#/machines/${encodeURIComponent(editing)}` : "#/machines" }, "Cancel")));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    const body = { id: id.value.trim(), type: type.value, host: host.value.trim(),
                   enabled: enabled.checked, options };
    if (port.value) body.port = Number(port.value);
    if (script.value.trim()) body.script = script.value.trim();
    submit.disabled = true;
    try {
      const answer = editing ? await api.put(`/machines/${encodeURIComponent(editing)}`, body)
                             : await api.post("/machines", body);
      const notes = [];
      if (answer && answer.pending_restart && answer.pending_restart.length) notes.push(`waits for a restart: ${answer.pending_restart.join(", ")}`);
      if (answer && answer.refused && answer.refused.length) notes.push(`refused: ${answer.refused.join(", ")}`);
      toast(`${body.id} saved and applied${notes.length ? ` (${notes.join("; ")})` : ""}.`, Boolean(answer && answer.refused && answer.refused.length));
      navigate(`#/machines/${encodeURIComponent(body.id)}`);
    } catch (error) {
      errors.replaceChildren(errorBox(error));
    } finally {
      submit.disabled = false;
    }
  });

  const children = [pageHead(editing ? `Edit ${editing}` : "Add a machine"), h("section", { class: "panel" }, form)];
  if (editing) {
    const remove = h("button", { class: "button danger", type: "button", id: "machine-delete" }, "Remove this machine");
    remove.addEventListener("click", async () => {
      if (!confirm(`Remove ${editing} from the configuration? Its collector stops.`)) return;
      try {
        await api.del(`/machines/${encodeURIComponent(editing)}`);
        toast(`${editing} removed.`);
        navigate("#/machines");
      } catch (error) {
        errors.replaceChildren(errorBox(error));
      }
    });
    children.push(h("section", { class: "panel" }, h("h2", {}, "Remove"), h("p", { class: "muted" },
      "The configuration file is rewritten (the previous one is kept as .bak)."), remove));
  }
  root.append(...children);
  (editing ? host : id).focus();
  return {};
}
