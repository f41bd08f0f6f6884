// The management page's shell: session check (login or first-start setup), hash routing, the
// top bar and navigation, and the one live connection (server-sent events) the current page uses.
import { api, setCsrf, setUnauthenticatedHandler } from "./js/api.js";
import { h, setText, errorBox } from "./js/ui.js";
import { showLogin, showSetup } from "./pages/login.js";

const routes = [
  { pattern: /^dashboard$/, load: () => import("./pages/dashboard.js"), nav: "dashboard" },
  { pattern: /^machines$/, load: () => import("./pages/machines.js"), nav: "machines" },
  { pattern: /^machines\/new$/, load: () => import("./pages/machine_form.js"), nav: "machines", admin: true },
  { pattern: /^machines\/([^/]+)\/edit$/, load: () => import("./pages/machine_form.js"), nav: "machines", admin: true },
  { pattern: /^machines\/([^/]+)$/, load: () => import("./pages/machine.js"), nav: "machines" },
  { pattern: /^network$/, load: () => import("./pages/network.js"), nav: "network" },
  { pattern: /^cloud$/, load: () => import("./pages/cloud.js"), nav: "cloud" },
  { pattern: /^journal$/, load: () => import("./pages/journal.js"), nav: "journal" },
  { pattern: /^logs$/, load: () => import("./pages/logs.js"), nav: "logs" },
  { pattern: /^users$/, load: () => import("./pages/users.js"), nav: "users", admin: true },
];

const state = { session: null, page: null, events: null, routeToken: 0, edge: null };
const main = document.getElementById("main");

function setShell(visible) {
  document.getElementById("topbar").hidden = !visible;
  document.getElementById("nav").hidden = !visible;
  document.getElementById("app").classList.toggle("bare", !visible);
}

function closePage() {
  if (state.events) { state.events.close(); state.events = null; }
  if (state.page && state.page.dispose) state.page.dispose();
  state.page = null;
  setLive(false);
}

function setLive(on, text) {
  const el = document.getElementById("live-state");
  el.className = on ? "live on" : "live off";
  el.textContent = text || (on ? "live" : "offline");
}

async function start() {
  setUnauthenticatedHandler(() => { if (state.session) toLogin(); });
  let session;
  try {
    session = await api.get("/session", { quiet401: true });
  } catch (error) {
    setShell(false);
    main.replaceChildren(h("div", { class: "auth" }, errorBox(error)));
    return;
  }
  if (session.setup_required) {
    toSetup();
  } else if (!session.authenticated) {
    toLogin();
  } else {
    enter(session);
  }
}

function toLogin(message) {
  closePage();
  state.session = null;
  setCsrf("");
  setShell(false);
  showLogin(main, (session) => enter(session), message);
}

function toSetup() {
  closePage();
  setShell(false);
  showSetup(main, (session) => enter(session));
}

async function enter(session) {
  state.session = session;
  setCsrf(session.csrf);
  setShell(true);
  const admin = session.role === "admin";
  document.body.classList.toggle("is-admin", admin);
  for (const el of document.querySelectorAll(".admin-only")) el.hidden = !admin;
  setText(document.getElementById("who"), `${session.user} (${session.role})`);
  try {
    updateTopbar(await api.get("/edge"));
  } catch (error) {
    if (error.status === 401) return;
  }
  // Keep the address the user came with (a bookmark, or the page a session ended on), unless
  // this role may not see it: then the dashboard.
  const path = location.hash.replace(/^#\/?/, "");
  const target = routes.find((r) => r.pattern.test(path));
  if (!path || (target && target.admin && !admin)) {
    if (location.hash === "#/dashboard") route();
    else location.hash = "#/dashboard";
  } else {
    route();
  }
}

function updateTopbar(edge) {
  state.edge = edge;
  setText(document.getElementById("edge-id"), edge.edge);
  setText(document.getElementById("edge-version"), `v${edge.version}`);
  document.title = `${edge.edge} · Spindle`;
}

async function route() {
  if (!state.session) return;
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, "")) || "dashboard";
  const token = ++state.routeToken;
  closePage();
  let match = null;
  let params = [];
  for (const r of routes) {
    const m = path.match(r.pattern);
    if (m) { match = r; params = m.slice(1); break; }
  }
  for (const a of document.querySelectorAll("#nav a")) {
    a.classList.toggle("active", Boolean(match) && a.dataset.route === match.nav);
  }
  if (!match) {
    main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, "No such page. ", h("a", { href: "#/dashboard" }, "Go to the dashboard.")));
    return;
  }
  const admin = state.session.role === "admin";
  if (match.admin && !admin) {
    main.replaceChildren(h("h1", {}, "Administrators only"),
                         h("p", { class: "muted" }, "Your role is viewer: this page changes the edge."));
    return;
  }
  main.replaceChildren(h("p", { class: "loading muted" }, "Loading…"));
  const ctx = { api, session: state.session, admin, params, edge: state.edge,
                navigate: (hash) => { location.hash = hash; } };
  let page;
  try {
    const module = await match.load();
    if (token !== state.routeToken) return;
    const root = h("div", { class: "page", "data-page": match.nav });
    page = await module.mount(root, ctx);
    if (token !== state.routeToken) { if (page && page.dispose) page.dispose(); return; }
    main.replaceChildren(root);
  } catch (error) {
    if (token !== state.routeToken || error.status === 401) return;
    main.replaceChildren(errorBox(error));
    return;
  }
  state.page = page || {};
  openEvents(state.page.machine);
}


function openEvents(machine) {
  const url = machine ? `/api/v1/events?machine=${encodeURIComponent(machine)}` : "/api/v1/events";
  const source = new EventSource(url);
  state.events = source;
  setLive(false, "connecting");
  source.addEventListener("open", () => setLive(true));
  source.addEventListener("error", async () => {
    if (state.events !== source) return;
    setLive(false, "reconnecting");
    if (source.readyState === EventSource.CLOSED) {
      // The browser gives up on a refused stream (e.g. 401): ask whether the session still holds.
      try {
        const session = await api.get("/session", { quiet401: true });
        if (!session.authenticated) { toLogin("Your session ended. Please log in again."); return; }
      } catch (e) { /* the edge is away: keep trying */ }
      setTimeout(() => { if (state.events === source) openEvents(machine); }, 3000);
    }
  });
  for (const type of ["machines", "edge", "values", "log"]) {
    source.addEventListener(type, (event) => {
      if (state.events !== source) return;
      setLive(true);
      let data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (type === "edge") updateTopbar(data);
      const handler = state.page && state.page.on && state.page.on[type];
      if (handler) handler(data);
    });
  }
}

document.getElementById("logout").addEventListener("click", async () => {
  try { await api.post("/logout", {}); } catch (e) { /* the session may be gone already */ }
  toLogin("You are logged out.");
});
window.addEventListener("hashchange", route);
setInterval(() => { if (state.page && state.page.tick) state.page.tick(); }, 1000);
start();
