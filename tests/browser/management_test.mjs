#!/usr/bin/env node
// The management page in a real browser: Debian's chromium, headless, driven by puppeteer-core.
// Walks what a plant engineer does on a fresh edge: first-start password, log in, the dashboard,
// live machines, one machine's plot and raw keys, adding a machine, the network check, the DNS settings,
// logging out. One line per step; a screenshot of every page; exit code 0 only if every step
// passed. The edge (`spindle run` with three simulated machines, and a fourth simulated adapter
// for the "add" step) is started by the CTest glue, which passes everything by environment:
//   SPINDLE_URL                 the page, e.g. http://127.0.0.1:18080/
//   SPINDLE_SETUP_CODE_FILE     <data_dir>/management-setup-code
//   SPINDLE_CONFIG_FILE         the configuration file `spindle run` was started with
//   SPINDLE_SCREENSHOTS         folder for <page>.png (created)
//   SPINDLE_EXTRA_MACHINE_PORT  port of the fourth simulated SHDR adapter
//   SPINDLE_EXTRA_MACHINE_HOST  its address (default 127.0.0.1)
//   SPINDLE_BROWSER_PEER        folder holding node_modules/puppeteer-core
//                               (default <repo>/build/test-peers/browser)
//   CHROMIUM                    the browser (default /usr/bin/chromium)
// Each may also be given as --name=value with the variable's name in lower case without the
// prefix: --url=, --setup-code-file=, --config-file=, --screenshots=, --extra-machine-port=.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split(/=(.*)/s).slice(0, 2)));
const setting = (name, fallback) => {
  const arg = args[name.replace(/^SPINDLE_/, "").toLowerCase().replace(/_/g, "-")];
  const value = arg ?? process.env[name] ?? fallback;
  if (value === undefined || value === "") throw new Error(`${name} is not set (environment or --option)`);
  return value;
};

const url = setting("SPINDLE_URL").replace(/\/?$/, "/");
const setupCodeFile = setting("SPINDLE_SETUP_CODE_FILE");
const configFile = setting("SPINDLE_CONFIG_FILE");
const shots = setting("SPINDLE_SCREENSHOTS");
const extraPort = Number(setting("SPINDLE_EXTRA_MACHINE_PORT"));
const extraHost = setting("SPINDLE_EXTRA_MACHINE_HOST", "127.0.0.1");
const chromium = setting("CHROMIUM", "/usr/bin/chromium");
const peer = setting("SPINDLE_BROWSER_PEER", path.resolve(here, "../../build/test-peers/browser"));
const puppeteer = createRequire(path.join(peer, "package.json"))("puppeteer-core");

// A fresh password each run, unless given (to look into the edge by hand after a failure).
const kPassword = process.env.SPINDLE_ADMIN_PASSWORD || `browser-test-${Math.random().toString(36).slice(2, 10)}`;
const kNewMachine = "browser_m4";
const kDnsPreferred = ["192.0.2.53", "198.51.100.53"];
const kStepTimeout = 30_000;
const kLineColor = [47, 111, 176];  // js/plot.js draws the line in #2f6fb0

fs.mkdirSync(shots, { recursive: true });
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  defaultViewport: { width: 1280, height: 860 },
});
const page = await browser.newPage();
page.setDefaultTimeout(kStepTimeout);
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(`uncaught: ${e.message}`));
page.on("console", (m) => {
  if (m.type() === "error" && /Content Security Policy|SyntaxError|TypeError/.test(m.text())) pageErrors.push(m.text());
});

let passed = 0;
let failed = 0;
let stop = false;
// A failed step ends the walk only when it is `critical` (no session, nothing else can run);
// otherwise the next steps still run, each from its own page.
async function step(name, body, { critical = false } = {}) {
  if (stop) { console.log(`skip ${name} (a critical step failed)`); failed++; return; }
  const started = Date.now();
  try {
    const detail = await body();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)${detail ? `: ${detail}` : ""}`);
  } catch (error) {
    failed++;
    stop = critical;
    console.log(`FAIL ${name}: ${error.message.split("\n")[0]}`);
    await page.screenshot({ path: path.join(shots, "failure.png"), fullPage: true }).catch(() => {});
  }
}
const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
const go = async (hash) => {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((h) => location.hash === h && document.querySelector("#main > .page"), {}, hash);
};
const text = (selector) => page.$eval(selector, (el) => el.textContent.trim());
const fill = async (selector, value) => {
  await page.$eval(selector, (el) => { el.value = ""; });
  await page.type(selector, String(value));
};
const apiStatus = (p) => page.evaluate(async (x) => (await fetch(x, { credentials: "same-origin" })).status, p);
const observations = () => page.$$eval("#machines-table tbody tr[data-machine]", (rows) =>
  Object.fromEntries(rows.map((r) => [r.dataset.machine,
    Number(r.querySelector("[data-col=observations]").textContent.replace(/[^0-9]/g, ""))])));

await step("first start: set the admin password with the setup code", async () => {
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForSelector("#setup-form");
  await shot("setup");
  const code = fs.readFileSync(setupCodeFile, "utf8").trim();
  if (!code) throw new Error(`${setupCodeFile} is empty`);
  await fill("#setup-code", code);
  await fill("#setup-password", kPassword);
  await fill("#setup-password2", kPassword);
  await page.click("#setup-submit");
  await page.waitForSelector("#main > .page[data-page=dashboard]");
  return `logged in as ${await text("#who")}`;
}, { critical: true });

await step("log out and log in again with the new password", async () => {
  await page.click("#logout");
  await page.waitForSelector("#login-form");
  await fill("#login-user", "admin");
  await fill("#login-password", "not-the-password");
  await page.click("#login-submit");
  await page.waitForSelector("#login-error .error-box");
  const refused = await text("#login-error .error-box");
  await shot("login");
  await fill("#login-password", kPassword);
  await page.click("#login-submit");
  await page.waitForSelector("#main > .page[data-page=dashboard]");
  const who = await text("#who");
  if (!/admin/.test(who)) throw new Error(`top bar shows "${who}"`);
  return `a wrong password was refused ("${refused}"), then ${who}`;
}, { critical: true });

await step("dashboard: three machines connected", async () => {
  await page.waitForFunction(() => {
    const el = document.querySelector("[data-test=machines-connected]");
    return el && el.dataset.connected === "3" && el.dataset.total === "3";
  });
  await shot("dashboard");
  await page.setViewport({ width: 768, height: 1024 });
  await shot("dashboard-tablet");
  await page.setViewport({ width: 1280, height: 860 });
  return `${await text("[data-test=machines-connected]")}, edge ${await text("#edge-id")} ${await text("#edge-version")}`;
});

await step("machines: live values change in place", async () => {
  await go("#/machines");
  await page.waitForFunction(() => document.querySelectorAll("#machines-table tbody tr[data-machine]").length === 3);
  await page.waitForFunction(() => [...document.querySelectorAll("#machines-table [data-state]")]
    .every((b) => b.dataset.state === "connected"));
  const firstRow = await page.$("#machines-table tbody tr[data-machine]");
  const before = await observations();
  await page.waitForFunction((b) => {
    const rows = [...document.querySelectorAll("#machines-table tbody tr[data-machine]")];
    return rows.length === Object.keys(b).length && rows.every((r) =>
      Number(r.querySelector("[data-col=observations]").textContent.replace(/[^0-9]/g, "")) > b[r.dataset.machine]);
  }, { timeout: 15_000 }, before);
  const after = await observations();
  if (!(await firstRow.evaluate((tr) => tr.isConnected))) throw new Error("the table was rebuilt, not updated in place");
  await shot("machines");
  return Object.keys(before).map((id) => `${id} ${before[id]} -> ${after[id]}`).join(", ");
});

let machineId = "";
await step("machine page: the plot draws a chosen numeric item", async () => {
  machineId = await page.$eval("#machines-table tbody tr[data-machine]", (tr) => tr.dataset.machine);
  await page.click(`#machines-table tbody tr[data-machine="${machineId}"] a`);
  await page.waitForSelector("#main > .page[data-page=machines] #items-table tbody tr[data-key]");
  const options = await page.$$eval("#plot-item option", (os) => os.map((o) => o.value).filter(Boolean));
  if (!options.length) throw new Error("no numeric item to plot");
  const item = options[options.length - 1];
  await page.select("#plot-item", "");
  await page.select("#plot-item", item);
  await page.waitForFunction((color) => {
    const canvas = document.getElementById("plot");
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - color[0]) < 12 && Math.abs(data[i + 1] - color[1]) < 12 &&
          Math.abs(data[i + 2] - color[2]) < 12 && data[i + 3] > 200) count++;
    }
    return count > 40;
  }, { timeout: 20_000 }, kLineColor);
  await shot("machine");
  return `${machineId}: ${item} plotted`;
});

await step("machine page: raw keys as the collector sends them, once the panel opens", async () => {
  await page.click("#raw-keys summary");
  await page.waitForSelector("#raw-table tbody tr[data-key]", { timeout: 15_000 });
  const keys = await page.$$eval("#raw-table tbody tr[data-key]", (rows) => rows.map((r) => r.dataset.key));
  const note = await text("#raw-note");
  if (!/before the adapter script/.test(note)) throw new Error(`note: "${note}"`);
  await shot("machine-raw");
  return `${keys.length} raw keys, e.g. ${keys.slice(0, 3).join(", ")}`;
});

await step("add a machine: refused with the edge's message, then saved and connected", async () => {
  await go("#/machines/new");
  await page.waitForSelector("#machine-form");
  const protocols = await page.$$eval("#machine-type option", (os) => os.map((o) => o.value));
  if (!protocols.includes("shdr")) throw new Error(`protocols offered: ${protocols.join(", ")}`);
  await page.select("#machine-type", "shdr");
  const defaultPort = await page.$eval("#machine-port", (el) => el.value);
  if (!defaultPort) throw new Error("choosing shdr did not fill its default port");
  await fill("#machine-id", kNewMachine);
  await fill("#machine-host", extraHost);
  await fill("#machine-port", 70000);
  await page.click("#machine-save");
  await page.waitForSelector("#machine-form-errors .error-box");
  const refusal = await text("#machine-form-errors .error-box");
  await shot("machine-new");
  await fill("#machine-port", extraPort);
  await page.click("#machine-save");
  await page.waitForFunction((id) => location.hash === `#/machines/${id}`, {}, kNewMachine);
  await go("#/machines");
  await page.waitForFunction((id) => {
    const badge = document.querySelector(`#machines-table tr[data-machine="${id}"] [data-state]`);
    return badge && badge.dataset.state === "connected";
  }, {}, kNewMachine);
  const config = fs.readFileSync(configFile, "utf8");
  if (!config.includes(kNewMachine)) throw new Error(`${configFile} does not name ${kNewMachine}`);
  await shot("machines-added");
  return `port 70000 refused ("${refusal.slice(0, 80)}"), default port ${defaultPort}, ${kNewMachine} connected`;
});

await step("network check: profile machines", async () => {
  await go("#/network");
  await page.select("#netcheck-profile", "machines");
  await page.click("#netcheck-run");
  await page.waitForSelector("#netcheck-table tbody tr[data-check]", { timeout: 60_000 });
  const rows = await page.$$eval("#netcheck-table tbody tr[data-check]", (trs) =>
    trs.map((tr) => `${tr.querySelector("[data-state]").dataset.state} ${tr.children[2].textContent}`));
  await shot("network-check");
  if (rows.length < 4) throw new Error(`only ${rows.length} checks: ${rows.join("; ")}`);
  const bad = rows.filter((r) => r.startsWith("fail"));
  if (bad.length) throw new Error(`failed: ${bad.join("; ")}`);
  return `${rows.length} checks: ${rows.join("; ")}`;
});

await step("DNS: change the preferred servers and find them in the configuration", async () => {
  await go("#/network");
  await fill("#dns-preferred", kDnsPreferred.join(", "));
  await page.click("#network-save");
  await page.waitForSelector("#network-errors [data-test=network-saved], #network-errors .error-box");
  if (await page.$("#network-errors .error-box")) throw new Error(await text("#network-errors .error-box"));
  const note = await text("#network-errors [data-test=network-saved]");
  // DNS changes apply at once: no restart is asked for, and the running values show them.
  const shown = await text("#dns-preferred-now");
  if (/restart/.test(note)) throw new Error(`"${note}": a DNS change should apply without a restart`);
  if (!kDnsPreferred.every((s) => shown.includes(s))) {
    throw new Error(`"${note}", yet the page shows preferred servers "${shown}"`);
  }
  const config = fs.readFileSync(configFile, "utf8");
  const missing = kDnsPreferred.filter((s) => !config.includes(s));
  if (missing.length) throw new Error(`${configFile} lacks ${missing.join(", ")}`);
  await shot("network");
  return `"${note}"; in use now: ${shown}; ${configFile} names ${kDnsPreferred.join(", ")}`;
});

for (const [name, hash] of [["cloud", "#/cloud"], ["journal", "#/journal"], ["logs", "#/logs"], ["users", "#/users"]]) {
  await step(`${name} page renders`, async () => {
    await go(hash);
    if (await page.$("#main > .error-box")) throw new Error(await text("#main > .error-box"));
    await shot(name);
  });
}

await step("a viewer sees every page but no admin button", async () => {
  await go("#/users");
  await fill("#user-name", "browser_viewer");
  await page.select("#user-role", "viewer");
  await fill("#user-password", kPassword);
  await page.click("#user-save");
  await page.waitForFunction(() => [...document.querySelectorAll("#users-table td")].some((td) => td.textContent === "browser_viewer"));
  await page.click("#logout");
  await page.waitForSelector("#login-form");
  await fill("#login-user", "browser_viewer");
  await fill("#login-password", kPassword);
  await page.click("#login-submit");
  await page.waitForSelector("#main > .page[data-page=dashboard]");
  const seen = [];
  await go("#/machines");
  if (await page.$("#add-machine")) seen.push("add machine");
  await go(`#/machines/${encodeURIComponent(machineId || kNewMachine)}`);
  if (await page.$("#restart-machine, #edit-machine")) seen.push("restart/edit");
  await go("#/network");
  if (await page.$("#network-form")) seen.push("network form");
  if (await page.$eval("#netcheck-run", (b) => !b.hidden)) seen.push("netcheck run");
  if (await page.$eval("#nav a[data-route=users]", (a) => !a.hidden)) seen.push("users link");
  if (seen.length) throw new Error(`a viewer sees: ${seen.join(", ")}`);
  await shot("viewer-network");
  return `logged in as ${await text("#who")}`;
});

await step("log out: the API refuses", async () => {
  await page.click("#logout");
  await page.waitForSelector("#login-form");
  await shot("logged-out");
  const statuses = await Promise.all(["/api/v1/machines", "/api/v1/edge", "/api/v1/network"].map(apiStatus));
  if (statuses.some((s) => s !== 401)) throw new Error(`answers after logout: ${statuses.join(", ")}`);
  return `GET machines, edge, network: ${statuses.join(", ")}`;
});

stop = false;
await step("no script errors or CSP violations in the page", async () => {
  if (pageErrors.length) throw new Error(pageErrors.join(" | "));
});

await browser.close();
console.log(`${passed} passed, ${failed} failed; screenshots in ${shots}`);
process.exit(failed === 0 ? 0 : 1);
