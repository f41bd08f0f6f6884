// The two screens before the app: first-start setup (the setup code and the first admin password)
// and login.
import { api } from "../js/api.js";
import { h, errorBox } from "../js/ui.js";

function frame(title, ...content) {
  return h("div", { class: "auth" },
           h("div", { class: "panel" },
             h("div", { class: "brandline" }, h("img", { src: "/logo.svg", alt: "", width: 32, height: 32 }), "Spindle"),
             h("h1", {}, title), content));
}

export function showLogin(root, onSession, message) {
  const user = h("input", { id: "login-user", name: "user", autocomplete: "username", required: true, value: "admin" });
  const password = h("input", { id: "login-password", name: "password", type: "password",
                                autocomplete: "current-password", required: true });
  const submit = h("button", { class: "button", type: "submit", id: "login-submit" }, "Log in");
  const errors = h("div", { id: "login-error" });
  const form = h("form", { class: "form", id: "login-form", novalidate: true },
                 message ? h("div", { class: "note", "data-test": "login-message" }, message) : null,
                 h("div", { class: "field" }, h("label", { for: "login-user" }, "User"), user),
                 h("div", { class: "field" }, h("label", { for: "login-password" }, "Password"), password),
                 errors, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    errors.replaceChildren();
    try {
      const session = await api.post("/login", { user: user.value.trim(), password: password.value }, { quiet401: true });
      onSession(session);
    } catch (error) {
      errors.replaceChildren(errorBox(error));
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  root.replaceChildren(frame("Log in", form));
  (user.value ? password : user).focus();
}

export function showSetup(root, onSession) {
  const code = h("input", { id: "setup-code", name: "setup_code", autocomplete: "off", required: true, spellcheck: "false" });
  const password = h("input", { id: "setup-password", type: "password", autocomplete: "new-password", required: true, minlength: 10 });
  const again = h("input", { id: "setup-password2", type: "password", autocomplete: "new-password", required: true });
  const submit = h("button", { class: "button", type: "submit", id: "setup-submit" }, "Set the password and log in");
  const errors = h("div", { id: "setup-error" });
  const form = h("form", { class: "form", id: "setup-form", novalidate: true },
    h("p", { class: "muted" }, "This edge has no account yet. Choose the password of its administrator, ",
      h("code", {}, "admin"), ". To prove you may, enter the setup code the edge wrote to ",
      h("code", {}, "<data_dir>/management-setup-code"), " on its disk."),
    h("div", { class: "field" }, h("label", { for: "setup-code" }, "Setup code"), code),
    h("div", { class: "field" }, h("label", { for: "setup-password" }, "New admin password"), password,
      h("span", { class: "hint" }, "10 to 256 characters.")),
    h("div", { class: "field" }, h("label", { for: "setup-password2" }, "Repeat the password"), again),
    errors, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    if (password.value.length < 10 || password.value.length > 256) {
      errors.replaceChildren(errorBox({ message: "The password must have 10 to 256 characters." }));
      return;
    }
    if (password.value !== again.value) {
      errors.replaceChildren(errorBox({ message: "The two passwords differ." }));
      return;
    }
    submit.disabled = true;
    try {
      const session = await api.post("/setup", { setup_code: code.value.trim(), password: password.value }, { quiet401: true });
      onSession(session);
    } catch (error) {
      errors.replaceChildren(errorBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  root.replaceChildren(frame("First start", form));
  code.focus();
}
