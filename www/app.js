// The sign-in page served by the Worker: register, sign in, sign out, refresh, forgot/reset password,
// change password, "Continue with <provider>" in redirect mode, two-factor authentication (TOTP: enrol
// with a QR code drawn here, recovery codes, the sign-in's challenge, turning it off), and the email
// confirmation a sign-in owes under AUTH_VERIFICATIONS_PER_ACTOR (send a code, enter it, sign in). The
// token lives in this module's memory only — never in localStorage, sessionStorage or a cookie — so a
// reload signs out.

import * as api from "./api.js";
import { decodeClaims, describeTime } from "./jwt.js";
import { devOutbox, renderOutbox, waitForDelivery } from "./outbox.js";
import { qrMatrix, qrSvg } from "./qr.js";
import {
  byId,
  checkEmail,
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

const PROVIDER_NAMES = { google: "Google", github: "GitHub" };
const providerName = (id) => PROVIDER_NAMES[id] ?? id.charAt(0).toUpperCase() + id.slice(1);

/** Where third-party sign-in sends the browser back: this page, exactly as ALLOWED_REDIRECT_URLS lists it. */
const RETURN_TO = `${location.origin}${location.pathname}`;

const state = {
  config: null, // the answer of GET /auth/providers
  actor: "customer",
  token: null, // the JWT, in memory only
  email: "", // the email signed in with (email and password only)
  via: null, // "emailpass" or "provider"
  resetToken: null,
  // A sign-in that owes its MFA challenge: { token (pending, opens nothing else), challenge, email, via,
  // method: "totp" | "recovery_code" }.
  pending: null,
  // A sign-in that owes a confirmed email: { token (actor-less, opens only the verification routes), email }.
  verifying: null,
  mfa: { enabled: null, unfinished: null, enrolling: null }, // factor ids
};

// --- errors from the API, next to the field they concern ---------------------------------------------

/** The form field an API message is about (null: the form as a whole). */
function fieldFor(error, { passwordField = "password" } = {}) {
  if (!(error instanceof api.ApiError) || error.status === 0 || error.status === 429 || error.status >= 500) return null;
  return fieldForMessage(error.message, { passwordField });
}

/** The text to show for an API failure. */
function explain(error) {
  if (!(error instanceof api.ApiError)) return `Something went wrong: ${error?.message ?? error}`;
  if (error.status === 429) {
    return error.retryAfter ? `${error.message} Try again in ${error.retryAfter} s.` : error.message;
  }
  if (error.status >= 500) return `The server could not do this: ${error.message}`;
  return error.message;
}

/** Shows an API failure on `form`, empties the password fields (never kept after a failure). */
function fail(form, error, options) {
  refuse(form, [{ field: fieldFor(error, options), message: explain(error) }]);
}

// --- views ---------------------------------------------------------------------------------------------

function go(view, { focus = true } = {}) {
  notice("");
  for (const form of document.querySelectorAll("form")) clearErrors(form);
  byId("account-error").textContent = "";
  byId("mfa-panel-error").textContent = "";
  if (view === "account" && !state.token) view = "signin";
  if (view !== "mfa-challenge") state.pending = null;
  if (view !== "verify-email") {
    state.verifying = null;
    byId("verify-email-code").value = "";
  }
  // The enrolment's key and the recovery codes are shown once: gone from the page as soon as it moves on.
  if (view !== "mfa-enrol") {
    byId("mfa-qr").replaceChildren();
    byId("mfa-secret").textContent = "";
    byId("mfa-enrol-code").value = "";
    state.mfa.enrolling = null;
  }
  if (view !== "mfa-recovery") byId("mfa-recovery-list").replaceChildren();
  if (view === "account") renderMfaPanel();
  if (view === "change") byId("change-username").value = state.email;
  byId("actor-picker").hidden = !(["signin", "register", "forgot"].includes(view) && actorsWithMethods().length > 1);
  showView(view, { focus });
}

function actorsWithMethods() {
  return Object.entries(state.config?.actors ?? {}).filter(([, methods]) => methods.length > 0);
}

const methodsOf = (actor) => state.config?.actors?.[actor] ?? [];
const hasEmailPass = () => methodsOf(state.actor).includes("emailpass");

function renderActorPicker() {
  const select = byId("actor");
  select.replaceChildren();
  for (const [actor] of actorsWithMethods()) {
    const option = document.createElement("option");
    option.value = actor;
    option.textContent = actor.charAt(0).toUpperCase() + actor.slice(1);
    select.append(option);
  }
  select.value = state.actor;
}

/** The sign-in view's parts that depend on the actor type: the password form and the provider buttons. */
function renderMethods() {
  const emailpass = hasEmailPass();
  byId("signin-form").hidden = !emailpass;
  document.querySelector("[data-view=signin] .links").hidden = !emailpass;

  const thirdParty = methodsOf(state.actor).filter((id) => id !== "emailpass");
  const list = byId("provider-list");
  list.replaceChildren();
  byId("providers").hidden = thirdParty.length === 0;
  document.querySelector("#providers .divider").hidden = !emailpass;
  const allowed = state.config?.return_to_allowed !== false;
  for (const id of thirdParty) {
    const item = document.createElement("li");
    const label = `Continue with ${providerName(id)}`;
    let control;
    if (allowed) {
      control = document.createElement("a");
      control.href = api.startUrl(state.actor, id, RETURN_TO);
    } else {
      control = document.createElement("button");
      control.type = "button";
      control.disabled = true;
    }
    control.className = "button";
    control.dataset.provider = id;
    control.textContent = label;
    item.append(control);
    list.append(item);
  }
  if (!allowed && thirdParty.length > 0) {
    byId("providers-error").textContent =
      `Third-party sign-in is off for this page: add ${RETURN_TO} to ALLOWED_REDIRECT_URLS.`;
  }
}

function renderAccount() {
  const claims = decodeClaims(state.token) ?? {};
  const actor = claims.actor_type ?? state.actor;
  fillDefinitions(byId("identity"), [
    ...(state.email ? [["Email", state.email]] : []),
    ["Signed in with", state.via === "emailpass" ? "Email and password" : "A third-party provider"],
    ["Actor type", actor],
    claims.actor_id ? ["Actor id", claims.actor_id, { code: true }] : ["Actor id", `none yet (no ${actor} record linked)`],
    ["Auth identity", claims.auth_identity_id ?? "—", { code: true }],
    ["Issued", describeTime(claims.iat)],
    ["Expires", describeTime(claims.exp)],
  ]);
  byId("claims").textContent = JSON.stringify(claims, null, 2);
  // Changing a password needs one: third-party identities have none here.
  document.querySelector("[data-go=change]").hidden = state.via !== "emailpass";
}

function signedIn(token, { email = "", via, focus = true }) {
  state.token = token;
  state.email = email;
  state.via = via;
  const claims = decodeClaims(token);
  if (claims?.actor_type && methodsOf(claims.actor_type).length) {
    state.actor = claims.actor_type;
    byId("actor").value = state.actor;
    renderMethods();
  }
  renderAccount();
  go("account", { focus });
}

function signOut(message = "You are signed out.") {
  state.token = null;
  state.via = null;
  byId("signin-email").value = state.email;
  go("signin");
  notice(message);
}

// --- forms -----------------------------------------------------------------------------------------------

async function signInSubmit(form) {
  const typed = credentials(form);
  if (!typed) return;
  const { email, password } = typed;
  try {
    const answer = await whileBusy(submitButton(form), () => api.signIn(state.actor, email, password));
    form.elements.password.value = "";
    if (answer.verification_required) return owesVerification(answer, { email: email.toLowerCase() });
    if (answer.mfa_required) return owesChallenge(answer, { email: email.toLowerCase(), via: "emailpass" });
    signedIn(answer.token, { email: email.toLowerCase(), via: "emailpass" });
  } catch (error) {
    fail(form, error);
  }
}

async function registerSubmit(form) {
  const typed = credentials(form, { newPassword: true });
  if (!typed) return;
  const { email, password } = typed;
  try {
    const { token } = await whileBusy(submitButton(form), () => api.register(state.actor, email, password));
    form.elements.password.value = "";
    signedIn(token, { email: email.toLowerCase(), via: "emailpass" });
    notice("Your account is ready: you are signed in.");
  } catch (error) {
    fail(form, error);
  }
}

async function forgotSubmit(form) {
  const email = form.elements.email.value.trim();
  const errors = collect([["email", checkEmail(email)]]);
  if (errors.length) return refuse(form, errors);
  const since = Date.now();
  try {
    await whileBusy(submitButton(form), () => api.requestPasswordReset(state.actor, email));
  } catch (error) {
    return fail(form, error);
  }
  byId("signin-email").value = email;
  go("signin");
  notice(`If ${email} has an account, a link to choose a new password is on its way.`);
  if (state.config?.dev) await waitForDelivery(since, RETURN_TO);
}

async function resetSubmit(form) {
  const password = form.elements.password.value;
  const errors = collect([["password", checkNewPassword(password)]]);
  if (errors.length) return refuse(form, errors);
  try {
    await whileBusy(submitButton(form), () => api.updatePassword(state.actor, state.resetToken, { password }));
  } catch (error) {
    if (error instanceof api.ApiError && error.message === "Invalid token") {
      return refuse(form, [
        { field: null, message: "This reset link is invalid, expired or already used. Ask for a new one." },
      ]);
    }
    return fail(form, error);
  }
  form.elements.password.value = "";
  state.resetToken = null;
  const email = byId("reset-username").value;
  if (email) byId("signin-email").value = email;
  go("signin");
  notice("Your password has been changed. Sign in with the new one.");
}

async function changeSubmit(form) {
  const current = form.elements.current.value;
  const password = form.elements.password.value;
  const errors = collect([
    ["current", current ? null : "Enter your current password."],
    ["password", checkNewPassword(password) ?? (password === current ? "Choose a password other than the current one." : null)],
  ]);
  if (errors.length) return refuse(form, errors);
  try {
    const { token } = await whileBusy(submitButton(form), () =>
      api.changePassword(state.actor, state.token, { current_password: current, password }),
    );
    clearPasswords(form);
    // Every token issued before the change is void now, the one we held included: keep the new one.
    signedIn(token, { email: state.email, via: "emailpass" });
    notice("Your password has been changed. Other signed-in sessions have to sign in again.");
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401 && error.type === "") {
      return signOut("Your session is no longer valid: sign in again.");
    }
    // "The current password is not correct" goes next to the current password; policy messages next to
    // the new one.
    fail(form, error, { passwordField: /current/i.test(error?.message) ? "current" : "password" });
  }
}

async function refreshClick(button) {
  byId("account-error").textContent = "";
  try {
    const { token } = await whileBusy(button, () => api.refresh(state.token));
    state.token = token;
    renderAccount();
    notice(`Token refreshed: it now expires ${describeTime(decodeClaims(token)?.exp)}.`);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) {
      return signOut("Your session is no longer valid: sign in again.");
    }
    byId("account-error").textContent = explain(error);
  }
}

// --- email verification ------------------------------------------------------------------------------------

/** The sign-in answered `{verification_required, verification?, token}`: the email must be confirmed first. */
function owesVerification({ token, verification }, { email }) {
  go("verify-email");
  state.verifying = { token, email };
  byId("verify-email-for").textContent = verification
    ? `Before you sign in, confirm ${email}: enter the code we sent to it, or send a new one.`
    : `Before you sign in, confirm ${email}: send a code to it, then enter the code here.`;
}

async function verifySendSubmit(form) {
  const verifying = state.verifying;
  if (!verifying) return go("signin");
  const since = Date.now();
  try {
    await whileBusy(submitButton(form), () => api.requestVerification(verifying.token, verifying.email));
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) return signOut("This sign-in has expired: sign in again.");
    return fail(form, error);
  }
  // An earlier "enter the code" error no longer applies: a code is coming.
  clearErrors(byId("verify-email-form"));
  notice(`A code is on its way to ${verifying.email}. It works for 15 minutes; a new one replaces it.`);
  byId("verify-email-code").focus();
  if (state.config?.dev) await waitForDelivery(since, RETURN_TO, { found: "New delivery: its code is below." });
}

async function verifyConfirmSubmit(form) {
  const verifying = state.verifying;
  if (!verifying) return go("signin");
  const input = form.elements.code;
  const code = input.value.trim();
  if (!code) return refuse(form, [{ field: "code", message: "Enter the code from the message." }]);
  try {
    await whileBusy(submitButton(form), () => api.confirmVerification(verifying.token, code));
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) return signOut("This sign-in has expired: sign in again.");
    return failCode(form, error);
  }
  // Sign-in gives the real token now; the password is never kept, so it is asked for again.
  byId("signin-email").value = verifying.email;
  go("signin", { focus: false });
  notice(`${verifying.email} is confirmed. Enter your password again to sign in.`);
  byId("signin-password").focus();
}

// --- two-factor authentication ----------------------------------------------------------------------------

const CODE_LABELS = {
  totp: ["Authentication code", "Enter the 6-digit code from your authenticator app.", "numeric", "Use a recovery code instead"],
  recovery_code: ["Recovery code", "Enter one of the recovery codes you saved. Each works once.", "text", "Use your authenticator app instead"],
};

/** The sign-in answered `{mfa_required, mfa_challenge, token}`: ask for the second factor. */
function owesChallenge({ token, mfa_challenge: challenge }, { email, via, focus = true }) {
  go("mfa-challenge", { focus });
  state.pending = { token, challenge, email, via, method: "totp" };
  useMethod("totp");
}

function useMethod(method) {
  state.pending.method = method;
  const [label, hint, inputMode, other] = CODE_LABELS[method];
  const input = byId("mfa-challenge-code");
  byId("mfa-challenge-label").textContent = label;
  byId("mfa-challenge-hint").textContent = hint;
  input.inputMode = inputMode;
  input.value = "";
  clearErrors(byId("mfa-challenge-form"));
  const toggle = byId("mfa-use-recovery");
  toggle.textContent = other;
  toggle.hidden = !(state.pending.challenge.methods ?? []).includes("recovery_code");
}

/** What is wrong with a typed code, or null. */
function checkCode(code, method) {
  if (!code) return method === "recovery_code" ? "Enter a recovery code." : "Enter the 6-digit code.";
  if (method === "totp" && !/^\d{6}$/.test(code)) return "Enter the 6 digits your app shows, without letters.";
  return null;
}

/** The code typed into `form`, spaces removed, or null once what is wrong with it is shown. */
function typedCode(form, method) {
  const input = form.elements.code;
  const code = input.value.replace(/\s+/g, "");
  const errors = collect([["code", checkCode(code, method)]]);
  if (errors.length) {
    input.value = "";
    refuse(form, errors);
    return null;
  }
  return code;
}

/** An API failure about a code: next to the code field (emptied) when it is about the code. */
function failCode(form, error) {
  form.elements.code.value = "";
  const aboutCode = error instanceof api.ApiError && error.status === 400 && /code/i.test(error.message);
  refuse(form, [{ field: aboutCode ? "code" : null, message: explain(error) }]);
}

async function challengeSubmit(form) {
  const pending = state.pending;
  if (!pending) return go("signin");
  const code = typedCode(form, pending.method);
  if (!code) return;
  try {
    const { token } = await whileBusy(submitButton(form), () =>
      api.verifyMfaChallenge(pending.token, pending.challenge.id, pending.method, code),
    );
    form.elements.code.value = "";
    signedIn(token, { email: pending.email, via: pending.via });
    notice(pending.method === "recovery_code" ? "Signed in with a recovery code: it cannot be used again." : "Signed in.");
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) {
      return signOut("This sign-in has expired: sign in again.");
    }
    failCode(form, error);
  }
}

/** The account's two-factor panel, from GET /auth/mfa/factors (hidden when the Worker has MFA off). */
async function renderMfaPanel() {
  const token = state.token;
  let factors;
  try {
    ({ mfa_factors: factors } = await api.mfaFactors(token));
  } catch (error) {
    if (token !== state.token) return;
    if (error instanceof api.ApiError && error.status === 401) return signOut("Your session is no longer valid: sign in again.");
    // MFA off on this Worker (no MFA_ENCRYPTION_KEY), or unreachable: no panel.
    byId("mfa-panel").hidden = true;
    return;
  }
  if (token !== state.token) return; // signed out or in again meanwhile
  state.mfa.enabled = factors.find((f) => f.status === "enabled")?.id ?? null;
  state.mfa.unfinished = factors.find((f) => f.status === "pending")?.id ?? null;
  byId("mfa-status").textContent = state.mfa.enabled
    ? "On: signing in asks for a code from your authenticator app (or a recovery code)."
    : "Off: signing in needs only your password.";
  byId("mfa-setup").hidden = Boolean(state.mfa.enabled);
  byId("mfa-disable").hidden = !state.mfa.enabled;
  byId("mfa-panel").hidden = false;
}

async function setupClick(button) {
  byId("mfa-panel-error").textContent = "";
  let started;
  try {
    started = await whileBusy(button, async () => {
      // An enrolment left unfinished holds the identity's one TOTP slot: discard it and start again.
      if (state.mfa.unfinished) await api.disableMfaFactor(state.token, state.mfa.unfinished);
      state.mfa.unfinished = null;
      return api.startMfa(state.token, state.email);
    });
  } catch (error) {
    byId("mfa-panel-error").textContent = explain(error);
    return;
  }
  go("mfa-enrol");
  state.mfa.enrolling = started.mfa_factor.id;
  byId("mfa-secret").textContent = started.secret.replace(/(.{4})(?=.)/g, "$1 ");
  byId("mfa-qr-error").textContent = "";
  try {
    byId("mfa-qr").replaceChildren(qrSvg(qrMatrix(started.otpauth_url), "QR code for your authenticator app"));
  } catch {
    byId("mfa-qr-error").textContent = "This key is too long for a QR code: type it into your app instead.";
  }
}

async function enrolSubmit(form) {
  const code = typedCode(form, "totp");
  if (!code) return;
  let codes;
  try {
    codes = await whileBusy(submitButton(form), async () => {
      await api.verifyMfaFactor(state.token, state.mfa.enrolling, code);
      return (await api.recoveryCodes(state.token)).recovery_codes;
    });
  } catch (error) {
    return failCode(form, error);
  }
  go("mfa-recovery");
  const list = byId("mfa-recovery-list");
  for (const recovery of codes) {
    const item = document.createElement("li");
    item.textContent = recovery;
    list.append(item);
  }
}

async function disableClick(button) {
  byId("mfa-panel-error").textContent = "";
  try {
    await whileBusy(button, () => api.disableMfaFactor(state.token, state.mfa.enabled));
  } catch (error) {
    byId("mfa-panel-error").textContent = explain(error);
    return;
  }
  await renderMfaPanel();
  notice("Two-factor authentication is off.");
  byId("mfa-setup").focus();
}

// --- arriving: #token=… from redirect mode, ?error=… from a failed one, #reset_token=… from a reset link --

/** Reads and removes what the URL carries, so a token never stays in the address bar or history. */
function takeFromUrl() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  const found = {
    token: fragment.get("token"),
    resetToken: fragment.get("reset_token"),
    mfaChallenge: fragment.get("mfa_challenge"),
    error: query.get("error"),
  };
  if (location.hash || query.has("error")) {
    query.delete("error");
    const search = query.toString();
    history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
  }
  return found;
}

/** Shows what the URL brought. `focus`: move focus to the view's heading (not on the first load, where
 * focus starts at the top of the page as usual, skip link first). */
function arrive({ token, resetToken, error, mfaChallenge }, { focus = true } = {}) {
  if (token && mfaChallenge && decodeClaims(token)) {
    // Redirect mode owes the challenge too; the fragment names it but not its methods: offer both.
    owesChallenge({ token, mfa_challenge: { id: mfaChallenge, methods: ["totp", "recovery_code"] } }, { via: "provider", focus });
    return;
  }
  if (token && decodeClaims(token)) {
    signedIn(token, { via: "provider", focus });
    notice("Signed in with your provider.");
    return;
  }
  if (resetToken) {
    const claims = decodeClaims(resetToken) ?? {};
    state.resetToken = resetToken;
    if (claims.actor_type && methodsOf(claims.actor_type).length) state.actor = claims.actor_type;
    byId("reset-username").value = claims.entity_id ?? "";
    byId("reset-for").textContent = claims.entity_id ? `For ${claims.entity_id}.` : "";
    go("reset", { focus });
    return;
  }
  go(state.token ? "account" : "signin", { focus });
  if (error) byId("providers-error").textContent = `Sign-in with the provider failed: ${error}`;
}

// --- start -----------------------------------------------------------------------------------------------

async function start() {
  const arrived = takeFromUrl();
  wireNavigation(go);
  onSubmit("signin-form", signInSubmit);
  onSubmit("register-form", registerSubmit);
  onSubmit("forgot-form", forgotSubmit);
  onSubmit("reset-form", resetSubmit);
  onSubmit("change-form", changeSubmit);
  onSubmit("mfa-challenge-form", challengeSubmit);
  onSubmit("mfa-enrol-form", enrolSubmit);
  onSubmit("verify-send-form", verifySendSubmit);
  onSubmit("verify-email-form", verifyConfirmSubmit);
  byId("mfa-use-recovery").addEventListener("click", () => {
    useMethod(state.pending?.method === "totp" ? "recovery_code" : "totp");
    byId("mfa-challenge-code").focus();
  });
  byId("mfa-setup").addEventListener("click", (e) => setupClick(e.currentTarget));
  byId("mfa-disable").addEventListener("click", (e) => disableClick(e.currentTarget));
  byId("refresh").addEventListener("click", (e) => refreshClick(e.currentTarget));
  byId("signout").addEventListener("click", () => signOut());
  byId("actor").addEventListener("change", (e) => {
    state.actor = e.currentTarget.value;
    byId("providers-error").textContent = "";
    renderMethods();
  });
  mirrorInputs(["signin-email", "register-email", "forgot-email"]);
  // An outbox link (#reset_token=…) clicked on this very page. Other fragments (the skip link's #main)
  // are plain in-page navigation.
  window.addEventListener("hashchange", () => {
    if (/^#(.*&)?(token|reset_token)=/.test(location.hash)) arrive(takeFromUrl());
  });

  try {
    state.config = await api.providers(RETURN_TO);
  } catch (error) {
    byId("loading").textContent = `Could not load the sign-in options: ${explain(error)}`;
    return;
  }
  const actors = actorsWithMethods().map(([actor]) => actor);
  if (!actors.includes(state.actor)) state.actor = actors[0] ?? state.actor;
  byId("loading").hidden = true;
  renderActorPicker();
  renderMethods();
  if (state.config.dev) {
    byId("dev-outbox").hidden = false;
    byId("dev-outbox-check").addEventListener("click", () => devOutbox(RETURN_TO));
    renderOutbox([], RETURN_TO);
    devOutbox(RETURN_TO);
  }
  arrive(arrived, { focus: false });
  document.documentElement.dataset.ready = "true";
}

start();
