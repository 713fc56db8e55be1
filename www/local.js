// In-browser mode: the npm package `edge-auth` itself (www/pkg/, copied from pkg/ by scripts/build-www.sh)
// with a MemoryStore — register, sign in, change password and sign out with no Worker and no network.

import {
  byId,
  checkNewPassword,
  clearErrors,
  clearPasswords,
  collect,
  credentials,
  fieldForMessage,
  fillDefinitions,
  mirrorInputs,
  notice,
  onSubmit,
  refuse,
  showView,
  submitButton,
  whileBusy,
  wireNavigation,
} from "./ui.js";

/** OWASP's PBKDF2-HMAC-SHA256 work factor, the package's default: the real cost, in this tab. */
const ITERATIONS = 600_000;

const state = { auth: null, identity: null, email: "" };

function go(view) {
  notice("");
  for (const form of document.querySelectorAll("form")) clearErrors(form);
  if ((view === "account" || view === "change") && !state.identity) view = "signin";
  showView(view);
}

/** Runs one package call, timing it (it is dominated by PBKDF2). */
async function timed(label, call) {
  const started = performance.now();
  const result = await call();
  byId("timing").textContent = `${label}: ${Math.round(performance.now() - started)} ms in WebAssembly.`;
  return result;
}

/** A flow's `{success: false, error}` on the field it concerns; passwords are emptied after a failure. */
function fail(form, message, options) {
  refuse(form, [{ field: fieldForMessage(message, options), message }]);
}

function signedIn(identity, email) {
  state.identity = identity;
  state.email = email;
  const emailpass = identity.provider_identities?.find((p) => p.provider === "emailpass");
  fillDefinitions(byId("identity"), [
    ["Email", emailpass?.entity_id ?? email],
    ["Auth identity", identity.id, { code: true }],
    ["Provider identity", emailpass?.id ?? "—", { code: true }],
  ]);
  byId("auth-identity").textContent = JSON.stringify(identity, null, 2);
  byId("change-username").value = email;
  go("account");
}

async function signInSubmit(form) {
  const typed = credentials(form);
  if (!typed) return;
  const { email, password } = typed;
  const result = await whileBusy(submitButton(form), () =>
    timed("Sign in", () => state.auth.authenticate("emailpass", { body: { email, password } })),
  );
  if (!result.success) return fail(form, result.error);
  form.elements.password.value = "";
  signedIn(result.authIdentity, email.toLowerCase());
}

async function registerSubmit(form) {
  const typed = credentials(form, { newPassword: true });
  if (!typed) return;
  const { email, password } = typed;
  const result = await whileBusy(submitButton(form), () =>
    timed("Register", () => state.auth.register("emailpass", { body: { email, password } })),
  );
  if (!result.success) return fail(form, result.error);
  form.elements.password.value = "";
  signedIn(result.authIdentity, email.toLowerCase());
  notice("Your account is ready: you are signed in.");
}

async function changeSubmit(form) {
  const current = form.elements.current.value;
  const password = form.elements.password.value;
  const errors = collect([
    ["current", current ? null : "Enter your current password."],
    ["password", checkNewPassword(password)],
  ]);
  if (errors.length) return refuse(form, errors);
  const email = state.email;
  const result = await whileBusy(submitButton(form), async () => {
    // The current password first (a wrong one changes nothing), then Medusa's updateProvider.
    const check = await state.auth.authenticate("emailpass", { body: { email, password: current } });
    if (!check.success) return { ...check, field: "current" };
    return timed("Change password", () => state.auth.updateProvider("emailpass", { entity_id: email, password }));
  });
  if (!result.success) {
    return fail(form, result.error, { passwordField: result.field ?? "password" });
  }
  clearPasswords(form);
  signedIn(result.authIdentity ?? state.identity, email);
  notice("Your password has been changed.");
}

async function start() {
  let pkg;
  try {
    pkg = await import("./pkg/browser.js");
  } catch (error) {
    byId("loading").textContent =
      "The npm package is not in www/pkg/. Build it with ./scripts/build-pkg.sh, then copy it with " +
      `./scripts/build-www.sh (./scripts/run.sh does both when pkg/ exists). (${error.message})`;
    return;
  }
  state.auth = new pkg.AuthModuleService({
    store: new pkg.MemoryStore(),
    providers: [{ id: "emailpass", options: { iterations: ITERATIONS } }],
  });
  byId("iterations").textContent = ITERATIONS.toLocaleString("en");
  wireNavigation(go);
  onSubmit("signin-form", signInSubmit);
  onSubmit("register-form", registerSubmit);
  onSubmit("change-form", changeSubmit);
  byId("signout").addEventListener("click", () => {
    state.identity = null;
    byId("signin-email").value = state.email;
    go("signin");
    notice("You are signed out.");
  });
  mirrorInputs(["signin-email", "register-email"]);
  byId("loading").hidden = true;
  showView("signin", { focus: false });
  document.documentElement.dataset.ready = "true";
}

start();
