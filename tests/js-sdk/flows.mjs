// The official @medusajs/js-sdk's auth calls, as a storefront makes them, wrapped so that the same steps
// run in Node (tests/worker/js-sdk.test.mjs) and bundled in a browser page on another origin
// (tests/browser/js-sdk.test.mjs). Each step answers plain JSON — what the SDK resolved, or the status and
// message of what it threw — and the tests assert on it, so both environments meet the same assertions.
//
// No node: imports here: this file is bundled for the browser by esbuild (tests/js-sdk/bundle.mjs).

/**
 * Runs `call` and answers `{ value }`, or `{ error: { status, message } }` for what the SDK threw
 * (a FetchError carries the HTTP status; a network or CORS refusal has none).
 */
async function settle(call) {
  try {
    const value = await call();
    return { value: value === undefined ? null : value };
  } catch (error) {
    return { error: { status: error?.status ?? null, message: String(error?.message ?? error) } };
  }
}

/**
 * The steps over one SDK instance. `Medusa` is the SDK's default export; `auth` its `auth` option
 * (`{ type: "jwt" | "session", … }`).
 */
export function sdkFlows(Medusa, { baseUrl, auth, publishableKey = "pk_edge_auth_test" }) {
  // A publishable key makes the SDK send x-publishable-api-key, one of the headers CORS must allow.
  const sdk = new Medusa({ baseUrl, publishableKey, auth });
  return {
    register: (actor, provider, payload) => settle(() => sdk.auth.register(actor, provider, payload)),
    login: (actor, provider, payload) => settle(() => sdk.auth.login(actor, provider, payload)),
    refresh: () => settle(() => sdk.auth.refresh()),
    logout: () => settle(() => sdk.auth.logout()),
    resetPassword: (actor, provider, body) => settle(() => sdk.auth.resetPassword(actor, provider, body)),
    updateProvider: (actor, provider, body, token) =>
      settle(() => sdk.auth.updateProvider(actor, provider, body, token)),
    listProviders: (actor) => settle(() => sdk.auth.listProviders(actor)),
    // sdk.auth.mfa.*: GET/POST /auth/mfa/factors, POST …/{id}/verify, DELETE …/{id},
    // POST /auth/mfa/recovery-codes, POST /auth/mfa/challenges/{id}/verify (which keeps the token it answers).
    mfaList: () => settle(() => sdk.auth.mfa.list()),
    mfaStart: (body) => settle(() => sdk.auth.mfa.start(body)),
    mfaVerify: (id, body) => settle(() => sdk.auth.mfa.verify(id, body)),
    mfaDisable: (id, body) => settle(() => sdk.auth.mfa.disable(id, body)),
    mfaRecoveryCodes: (body) => settle(() => sdk.auth.mfa.generateRecoveryCodes(body)),
    mfaVerifyChallenge: (id, body) => settle(() => sdk.auth.mfa.verifyChallenge(id, body)),
    // sdk.auth.verification.*: POST /auth/verification/request (with the kept token) and …/confirm.
    verificationRequest: (body) => settle(() => sdk.auth.verification.request(body)),
    verificationConfirm: (body) => settle(() => sdk.auth.verification.confirm(body)),
    /** The token the SDK keeps (JWT mode): what it sends as Authorization on the next call. */
    storedToken: () => settle(() => sdk.client.getToken()),
    /** `GET /auth/session` through the SDK's client: with its stored token, or its session cookie. */
    currentSession: () => settle(() => sdk.client.fetch("/auth/session")),
  };
}
