// The page's only door to the edge: /api/v1 (docs/web-api.md). Adds the CSRF header to every
// state-changing call, turns error answers into ApiError, and tells the app when a session ends.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The edge answered ${status}.`);
    this.status = status;
    this.error = (body && body.error) || "";
    this.diagnostics = (body && Array.isArray(body.diagnostics)) ? body.diagnostics : [];
  }
}

let csrfToken = "";
let unauthenticatedHandler = () => {};

export function setCsrf(token) { csrfToken = token || ""; }
export function setUnauthenticatedHandler(handler) { unauthenticatedHandler = handler; }

async function call(method, path, body, { quiet401 = false } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = csrfToken;
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch (e) {
    throw new ApiError(0, { error: "network", message: "The edge cannot be reached. Is it running?" });
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch (e) { parsed = null; }
  }
  if (!response.ok) {
    if (response.status === 401 && !quiet401) unauthenticatedHandler();
    throw new ApiError(response.status, parsed);
  }
  return parsed;
}

export const api = {
  get: (path, options) => call("GET", path, undefined, options),
  post: (path, body, options) => call("POST", path, body, options),
  put: (path, body, options) => call("PUT", path, body, options),
  del: (path, options) => call("DELETE", path, undefined, options),
};
