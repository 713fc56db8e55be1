// DOM helpers shared by the Worker page (app.js) and the in-browser page (local.js): views, field errors,
// busy buttons and notices. Text always goes in with textContent (never innerHTML): messages can carry
// what a provider or a user typed.

export const byId = (id) => document.getElementById(id);

/** Shows the `<section data-view=name>` and hides the others; focuses its heading for screen readers. */
export function showView(name, { focus = true } = {}) {
  let shown = null;
  for (const section of document.querySelectorAll("section[data-view]")) {
    const active = section.dataset.view === name;
    section.hidden = !active;
    if (active) shown = section;
  }
  if (!shown) throw new Error(`no view named ${name}`);
  if (focus) shown.querySelector("h1")?.focus();
  return shown;
}

/** The error paragraph of a field: the element its aria-describedby names that has class field-error. */
function errorElementOf(input) {
  const ids = (input.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
  return ids.map((id) => byId(id)).find((el) => el?.classList.contains("field-error")) ?? null;
}

/** Removes every field and form error of `form`. */
export function clearErrors(form) {
  for (const input of form.querySelectorAll("input, select")) {
    input.removeAttribute("aria-invalid");
    const error = errorElementOf(input);
    if (error) error.textContent = "";
  }
  const formError = form.querySelector(".form-error");
  if (formError) formError.textContent = "";
}

/** Puts `message` next to the field `name` (or in the form's error box if there is no such field). */
export function showError(form, name, message) {
  const input = name ? form.elements.namedItem(name) : null;
  const error = input ? errorElementOf(input) : null;
  if (input && error) {
    input.setAttribute("aria-invalid", "true");
    error.textContent = message;
    return input;
  }
  const formError = form.querySelector(".form-error");
  if (formError) formError.textContent = message;
  return null;
}

/**
 * Shows each error (`[{ field, message }]`) and moves focus to the first field in error (screen readers
 * then read its label, value and, through aria-describedby, the message).
 */
export function showErrors(form, errors) {
  let first = null;
  for (const { field, message } of errors) {
    const input = showError(form, field, message);
    first ??= input;
  }
  // A form-level error (no field to blame) leaves focus on the button, ready to try again.
  (first ?? submitButton(form))?.focus();
}

/**
 * Disables `button` and shows its `data-busy` label (e.g. "Signing in…") while `work()` runs — PBKDF2
 * takes a noticeable moment — and restores it afterwards. The form is marked aria-busy meanwhile.
 */
export async function whileBusy(button, work) {
  const label = button.textContent;
  const form = button.form ?? button.closest("section");
  button.disabled = true;
  button.textContent = button.dataset.busy ?? "Working…";
  form?.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = label;
    form?.removeAttribute("aria-busy");
  }
}

/** The form's submit button. */
export const submitButton = (form) => form.querySelector("button[type=submit]");

/** A polite status message at the top of the card (success notices); empty string clears it. */
export function notice(text) {
  const el = byId("notice");
  if (el) el.textContent = text;
}

/** Client-side checks worth doing before a round trip; the server checks everything again. */
export function checkEmail(email) {
  if (!email.trim()) return "Enter your email address.";
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) return "Enter an email address like name@example.com.";
  return null;
}

export function checkNewPassword(password) {
  if (!password) return "Choose a password.";
  const length = [...password].length;
  if (length < 8) return `That is ${length} character${length === 1 ? "" : "s"}: use at least 8.`;
  return null;
}

/**
 * The form field one of the Auth Module's messages is about, or null for the form as a whole. The messages
 * are Medusa's (e.g. "Invalid email or password", "Identity with email already exists", "Password must be
 * at least 8 characters"); a wrong password is reported on the password field, with the email kept.
 */
export function fieldForMessage(message, { passwordField = "password" } = {}) {
  if (/password/i.test(message)) return passwordField;
  if (/email|identifier/i.test(message)) return "email";
  return null;
}

/** `[{field, message}]` for the checks that failed; empty when all passed. */
export function collect(checks) {
  return checks.filter(([, message]) => message).map(([field, message]) => ({ field, message }));
}

/** Empties the password fields of `form`: a password is never kept after a failure, nor after a change. */
export function clearPasswords(form) {
  for (const input of form.querySelectorAll("input[type=password]")) input.value = "";
}

/** Shows failures (`[{ field, message }]`: the checks' or the Auth Module's) and empties the password fields. */
export function refuse(form, errors) {
  clearPasswords(form);
  showErrors(form, errors);
}

/**
 * The email and password typed into a sign-in form (`newPassword` false) or a register form, or null once
 * what is wrong with them is shown.
 */
export function credentials(form, { newPassword = false } = {}) {
  const email = form.elements.email.value.trim();
  const password = form.elements.password.value;
  const errors = collect([
    ["email", checkEmail(email)],
    ["password", newPassword ? checkNewPassword(password) : password ? null : "Enter your password."],
  ]);
  if (errors.length) {
    refuse(form, errors);
    return null;
  }
  return { email, password };
}

/** Runs `handler(form)` when the form `id` is submitted, instead of navigating, with old messages cleared. */
export function onSubmit(id, handler) {
  const form = byId(id);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    notice("");
    clearErrors(form);
    handler(form);
  });
}

/** Carries what is typed into one of the fields `ids` to the others, so switching views keeps it. */
export function mirrorInputs(ids) {
  for (const id of ids) {
    byId(id).addEventListener("input", (e) => {
      for (const other of ids) {
        if (other !== id) byId(other).value = e.currentTarget.value;
      }
    });
  }
}

/** Wires every `[data-go=view]` button to `go(view)`. */
export function wireNavigation(go) {
  for (const button of document.querySelectorAll("[data-go]")) {
    button.addEventListener("click", () => go(button.dataset.go));
  }
}

/**
 * Fills a `<dl>` with `[term, value, {code}]` rows, replacing what was there; `code` sets the value in a
 * monospace font (ids).
 */
export function fillDefinitions(dl, rows) {
  dl.replaceChildren();
  for (const [term, value, { code = false } = {}] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (code) dd.className = "code";
    dl.append(dt, dd);
  }
}
