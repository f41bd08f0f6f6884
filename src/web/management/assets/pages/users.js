// Users (admin): accounts and roles; add or replace one, remove one, change one's own password.
import { h, pageHead, badge, errorBox, toast, table } from "../js/ui.js";

export async function mount(root, { api, session }) {
  const list = table([{ label: "User" }, { label: "Role" }, { label: "" }], { id: "users-table" });
  const errors = h("div");
  async function refresh() {
    const users = await api.get("/users");
    list.tbody.replaceChildren(...users.map((u) => {
      const remove = h("button", { class: "button quiet", type: "button" }, "Remove");
      remove.addEventListener("click", async () => {
        if (!confirm(`Remove the account ${u.user}?`)) return;
        try { await api.del(`/users/${encodeURIComponent(u.user)}`); toast(`${u.user} removed.`); refresh(); }
        catch (error) { errors.replaceChildren(errorBox(error)); }
      });
      return h("tr", {}, h("td", {}, u.user, u.user === session.user ? h("span", { class: "muted" }, " (you)") : null),
               h("td", {}, badge(u.role, u.role === "admin" ? "warn" : "idle")), h("td", {}, remove));
    }));
  }

  const user = h("input", { id: "user-name", required: true, pattern: "[A-Za-z0-9._-]{1,64}" });
  const role = h("select", { id: "user-role" }, h("option", { value: "viewer" }, "viewer: reads everything"),
                 h("option", { value: "admin" }, "admin: also changes the edge"));
  const password = h("input", { id: "user-password", type: "password", autocomplete: "new-password", minlength: 10 });
  const formErrors = h("div");
  const form = h("form", { class: "form", id: "user-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "user-name" }, "User name"), user),
    h("div", { class: "field" }, h("label", { for: "user-role" }, "Role"), role),
    h("div", { class: "field" }, h("label", { for: "user-password" }, "Password"), password,
      h("span", { class: "hint" }, "10 to 256 characters. An existing user gets this password and role.")),
    formErrors, h("div", { class: "actions" }, h("button", { class: "button", type: "submit", id: "user-save" }, "Save account")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formErrors.replaceChildren();
    try {
      await api.post("/users", { user: user.value.trim(), role: role.value, password: password.value });
      toast(`${user.value.trim()} saved.`);
      password.value = "";
      refresh();
    } catch (error) { formErrors.replaceChildren(errorBox(error)); }
  });

  const current = h("input", { id: "own-current", type: "password", autocomplete: "current-password" });
  const fresh = h("input", { id: "own-password", type: "password", autocomplete: "new-password" });
  const ownErrors = h("div");
  const own = h("form", { class: "form", id: "password-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "own-current" }, "Current password"), current),
    h("div", { class: "field" }, h("label", { for: "own-password" }, "New password"), fresh),
    ownErrors, h("div", { class: "actions" }, h("button", { class: "button", type: "submit" }, "Change my password")));
  own.addEventListener("submit", async (event) => {
    event.preventDefault();
    ownErrors.replaceChildren();
    try {
      await api.post("/password", { current: current.value, password: fresh.value });
      current.value = fresh.value = "";
      toast("Password changed; your other sessions have ended.");
    } catch (error) { ownErrors.replaceChildren(errorBox(error)); }
  });

  await refresh();
  root.append(pageHead("Users"), errors, list.el,
              h("div", { class: "grid2" },
                h("section", { class: "panel" }, h("h2", {}, "Add or change an account"), form),
                h("section", { class: "panel" }, h("h2", {}, "My password"), own)));
  return {};
}
