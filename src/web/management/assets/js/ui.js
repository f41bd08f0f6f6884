// DOM building and formatting shared by every page. Elements are built with h(), never from HTML
// strings, so nothing the edge reports (machine names, log text) can become markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value") el.value = value;
    else if (key === "checked") el.checked = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/// Replaces an element's text only when it changed, and flashes a change (not the first fill), so
/// live tables update in place and show what moved.
export function setText(el, text, flash = false) {
  const value = text === undefined || text === null ? "" : String(text);
  if (el.textContent === value) return;
  const first = el.textContent === "" || el.textContent === "—";
  el.textContent = value;
  if (flash && !first) {
    el.classList.remove("changed");
    void el.offsetWidth;  // restarts the animation
    el.classList.add("changed");
  }
}

const stateKinds = {
  connected: "ok", ok: "ok", pass: "ok", passed: "ok", normal: "ok", applied: "ok", yes: "ok",
  connecting: "warn", backoff: "warn", warn: "warn", warning: "warn", degraded: "warn", skip: "idle",
  skipped: "idle", stalled: "warn", unknown: "idle", pending: "warn",
  stopped: "idle", disabled: "idle", unavailable: "idle", none: "idle", "not configured": "idle",
  fault: "bad", error: "bad", fail: "bad", failed: "bad", down: "bad", rejected: "bad", critical: "bad",
  disconnected: "bad", no: "bad",
};

/// A state in colour AND words: the badge always carries the word.
export function badge(state, kind) {
  const word = state === undefined || state === null || state === "" ? "unknown" : String(state);
  const cls = kind || stateKinds[word.toLowerCase()] || "idle";
  return h("span", { class: `badge ${cls}`, dataset: { state: word } }, word);
}

export function updateBadge(el, state, kind) {
  const fresh = badge(state, kind);
  if (el.className === fresh.className && el.textContent === fresh.textContent) return el;
  el.replaceWith(fresh);
  return fresh;
}

export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Number(n);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function number(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  return Number(n).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function withUnit(n, unit, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  return `${number(n, digits)} ${unit}`;
}

/// A duration in seconds as people read it: "850 ms", "12 s", "4 min 5 s", "3 h 2 min", "2 d 4 h".
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const s = Math.max(0, Number(seconds));
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function absoluteTime(unixSeconds) {
  if (!unixSeconds) return "";
  const d = new Date(unixSeconds * 1000);
  const pad = (v) => String(v).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
         `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/// "12 s ago", with the absolute time in the element's tooltip.
export function ago(unixSeconds) {
  if (!unixSeconds) return "—";
  return `${duration(Date.now() / 1000 - unixSeconds)} ago`;
}

export function timeCell(el, unixSeconds) {
  setText(el, ago(unixSeconds));
  const title = absoluteTime(unixSeconds);
  if (el.title !== title) el.title = title;
}

export function ageText(ageSeconds) {
  return ageSeconds === null || ageSeconds === undefined ? "—" : `${duration(ageSeconds)} ago`;
}

let toastTimer = 0;
export function toast(message, bad = false) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = bad ? "toast bad" : "toast";
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, bad ? 7000 : 3500);
}

/// An error box with the API's message and, for a 422, every diagnostic with its path.
export function errorBox(error) {
  const box = h("div", { class: "error-box", role: "alert", "data-test": "error" },
                h("strong", {}, error.message || String(error)));
  if (error.diagnostics && error.diagnostics.length) {
    box.append(h("ul", { "data-test": "diagnostics" },
                 error.diagnostics.map((d) => h("li", {}, h("code", {}, d.path || "(file)"), ": ", d.message))));
  }
  return box;
}

export function table(columns, attrs = {}) {
  const tbody = h("tbody");
  const el = h("div", { class: "table-wrap" },
               h("table", attrs,
                 h("thead", {}, h("tr", {}, columns.map((c) =>
                   h("th", { class: c.num ? "num" : undefined }, c.label)))),
                 tbody));
  return { el, tbody };
}

export function card(label, testId) {
  const value = h("div", { class: "value", "data-test": testId }, "—");
  const sub = h("div", { class: "sub" });
  const el = h("div", { class: "card" }, h("div", { class: "label" }, label), value, sub);
  return { el, value, sub };
}

export function pageHead(title, ...extra) {
  return h("div", { class: "page-head" }, h("h1", {}, title), h("span", { class: "spacer" }), extra);
}

export function listInput(values) {
  return (values || []).join(", ");
}

export function parseList(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}
