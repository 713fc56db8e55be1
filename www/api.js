// The Worker's /auth API, as the page uses it. Same origin, JSON in and out; every failure becomes an
// ApiError carrying Medusa's `{type, message}` (or a message of ours for network trouble).

export class ApiError extends Error {
  constructor(status, type, message, { retryAfter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = type;
    this.retryAfter = retryAfter;
  }
}

const enc = encodeURIComponent;

async function call(path, { method = "GET", body, bearer } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // Nothing here may be cached: the answers carry tokens.
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", "Could not reach the server. Check that it is running and try again.");
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (e.g. a proxy's error page): reported below by status.
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("retry-after")) || null;
    const message =
      typeof json?.message === "string" && json.message
        ? json.message
        : `The server answered ${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, json?.type ?? "", message, { retryAfter });
  }
  return json;
}

/** Which actor types exist and which providers each may use; `returnTo` also asks if it is allow-listed. */
export const providers = (returnTo) =>
  call(`/auth/providers${returnTo ? `?return_to=${enc(returnTo)}` : ""}`);

export const register = (actor, email, password) =>
  call(`/auth/${enc(actor)}/emailpass/register`, { method: "POST", body: { email, password } });

export const signIn = (actor, email, password) =>
  call(`/auth/${enc(actor)}/emailpass`, { method: "POST", body: { email, password } });

export const refresh = (token) => call("/auth/token/refresh", { method: "POST", bearer: token });

/** Medusa's reset request: always 201 and an empty body, whether or not the email has an account. */
export const requestPasswordReset = (actor, email) =>
  call(`/auth/${enc(actor)}/emailpass/reset-password`, { method: "POST", body: { identifier: email } });

/** Medusa's update with a reset token (Bearer): `{success: true}`. */
export const updatePassword = (actor, resetToken, body) =>
  call(`/auth/${enc(actor)}/emailpass/update`, { method: "POST", bearer: resetToken, body });

/** Signed in: a new password for the current one (`{current_password, password}`) → a fresh `{token}`. */
export const changePassword = (actor, token, body) =>
  call(`/auth/${enc(actor)}/emailpass/change-password`, { method: "POST", bearer: token, body });

// --- email verification (AUTH_VERIFICATIONS_PER_ACTOR), Medusa 2.16+'s /auth/verification/* ---------------

/** Sends a code to `email` (delivered by the Worker's webhook, never in this answer): `{verification}`. */
export const requestVerification = (token, email) =>
  call("/auth/verification/request", { method: "POST", bearer: token, body: { entity_id: email, entity_type: "email" } });

/** Confirms a code: `{entity_id, entity_type, code_provider, verified_at}`. */
export const confirmVerification = (token, code) =>
  call("/auth/verification/confirm", { method: "POST", bearer: token, body: { code } });

/** Local development only: what the Worker would have delivered (404 anywhere else). */
export const devOutbox = () => call("/__dev/outbox");

/** Where a "Continue with …" link starts redirect mode; the Worker sends the browser back to `returnTo`. */
export const startUrl = (actor, provider, returnTo) =>
  `/auth/${enc(actor)}/${enc(provider)}?return_to=${enc(returnTo)}`;

// --- multi-factor authentication (TOTP), Medusa 2.21's /auth/mfa/* ------------------------------------

/** `{mfa_factors: [factor, …]}`, the signed-in identity's factors (disabled ones too). */
export const mfaFactors = (token) => call("/auth/mfa/factors", { bearer: token });

/** A pending TOTP factor: `{mfa_factor, secret, otpauth_url}` (the secret is shown this once). */
export const startMfa = (token, label) =>
  call("/auth/mfa/factors", { method: "POST", bearer: token, body: { provider: "totp", ...(label ? { label } : {}) } });

/** Proves a pending factor with a code from the authenticator app: `{mfa_factor}`, now enabled. */
export const verifyMfaFactor = (token, id, code) =>
  call(`/auth/mfa/factors/${enc(id)}/verify`, { method: "POST", bearer: token, body: { code } });

/** Switches a factor off: `{mfa_factor}`, now disabled. */
export const disableMfaFactor = (token, id) =>
  call(`/auth/mfa/factors/${enc(id)}`, { method: "DELETE", bearer: token, body: {} });

/** New recovery codes, replacing every earlier one: `{recovery_codes: […]}`. */
export const recoveryCodes = (token) => call("/auth/mfa/recovery-codes", { method: "POST", bearer: token, body: {} });

/** Answers the challenge a sign-in raised, with its pending token: `{token}`, the real one. */
export const verifyMfaChallenge = (pendingToken, id, method, code) =>
  call(`/auth/mfa/challenges/${enc(id)}/verify`, { method: "POST", bearer: pendingToken, body: { method, code } });
