// The Medusa bridge (`edge-auth/medusa`, npm/medusa.cjs) against the real Worker in workerd: each module
// method's answer in Medusa's shape, Medusa's error types, the backend's password reset (jti and
// updateProvider), MFA as the backend's routes run it (enrolment, a sign-in challenge), email verification,
// listAuthProviders, a GitHub sign-in through authenticate and validateCallback, the end user's address reaching
// the Worker's rate limits, a wrong admin secret named at start-up and at the first call, and a Worker that
// never answers or fails (timeouts, retries of idempotent calls only, counted).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startWorker, TEST_TIMEOUT_MS } from "../worker/harness.mjs";
import { totp } from "../js-sdk/totp.mjs";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BRIDGE = join(REPO_ROOT, "npm", "medusa.cjs");
const require = createRequire(import.meta.url);
const bridge = require(BRIDGE);
const { EdgeAuthModuleService, MedusaError } = bridge;

const ADMIN_SECRET = "admin-bridge-0123456789abcdef0123456";
const MFA_ENCRYPTION_KEY = "mfa-bridge-0123456789abcdef0123456789";
const PASSWORD = "correct horse battery";

/** A logger that records what the module logs. */
function recordingLogger() {
  const lines = [];
  return { lines, error: (m) => lines.push(["error", m]), warn: (m) => lines.push(["warn", m]), info() {} };
}

function service(url, extra = {}, logger = recordingLogger()) {
  return new EdgeAuthModuleService({ logger }, { url, adminSecret: ADMIN_SECRET, timeoutMs: 5000, ...extra });
}

/** Resolves the MedusaError a promise rejects with. */
async function medusaError(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(MedusaError.isMedusaError(e), `not a MedusaError: ${e?.stack ?? e}`);
    assert.ok(e instanceof MedusaError);
    return e;
  }
  assert.fail("expected a rejection");
}

const login = (email, password = PASSWORD) => ({ body: { email, password } });

describe("the bridge over a Worker in workerd", { timeout: 120_000 }, () => {
  let worker;
  let auth;

  before(async () => {
    worker = await startWorker({ vars: { ADMIN_SECRET, MFA_ENCRYPTION_KEY } });
    auth = service(worker.url);
  });
  after(() => worker?.dispose());

  test("register and authenticate answer Medusa's AuthenticationResponse", { timeout: TEST_TIMEOUT_MS }, async () => {
    const registered = await auth.register("emailpass", {
      actor_type: "customer",
      url: "/auth/customer/emailpass/register",
      headers: { "content-type": "application/json", cookie: "connect.sid=x", "x-forwarded-for": ["198.51.100.1"] },
      query: { nested: { ignored: true } },
      body: { email: "Reg@b.co", password: PASSWORD },
      protocol: "http",
    });
    assert.equal(registered.success, true, JSON.stringify(registered));
    assert.deepEqual(Object.keys(registered).sort(), ["authIdentity", "success"]);
    const identity = registered.authIdentity;
    assert.match(identity.id, /^authid_[0-9A-Z]{26}$/);
    assert.equal(identity.provider_identities.length, 1);
    const [pi] = identity.provider_identities;
    assert.equal(pi.entity_id, "reg@b.co");
    assert.equal(pi.provider, "emailpass");
    assert.equal(pi.auth_identity_id, identity.id);
    assert.ok(!JSON.stringify(registered).includes("password"), JSON.stringify(registered));

    const signedIn = await auth.authenticate("emailpass", login("reg@b.co"));
    assert.equal(signedIn.success, true);
    assert.equal(signedIn.authIdentity.id, identity.id);

    assert.deepEqual(await auth.authenticate("emailpass", login("reg@b.co", "wrong horse!")), {
      success: false,
      error: "Invalid email or password",
    });
    assert.deepEqual(await auth.register("emailpass", login("reg@b.co", "another horse")), {
      success: false,
      error: "Identity with email already exists",
    });
    assert.deepEqual(await auth.authenticate("emailpass", { body: { email: "reg@b.co" } }), {
      success: false,
      error: "Password should be a string",
    });
    const unknown = await auth.authenticate("nope", login("reg@b.co"));
    assert.equal(unknown.success, false);
    assert.match(unknown.error, /Unable to retrieve the auth provider with id: nope/);
    // The same identity signs in at the Worker's own routes.
    const res = await worker.post("/auth/customer/emailpass", { email: "reg@b.co", password: PASSWORD });
    assert.equal(res.status, 200);
  });

  test("a GitHub sign-in the backend starts and finishes: authenticate's location, then validateCallback", { timeout: TEST_TIMEOUT_MS }, async () => {
    const { startGithubFake } = await import("../fixtures/oauth/github-fake.mjs");
    const callbackUrl = "https://shop.example/auth/github/callback";
    const github = await startGithubFake({ clientId: "bridge-gh", clientSecret: "bridge-gh-secret", redirectUris: [callbackUrl] });
    const oauthWorker = await startWorker({
      vars: {
        ADMIN_SECRET,
        GITHUB_CLIENT_ID: "bridge-gh",
        GITHUB_CLIENT_SECRET: "bridge-gh-secret",
        GITHUB_CALLBACK_URL: callbackUrl,
        GITHUB_AUTHORIZATION_URL: github.authorizeUrl,
        GITHUB_TOKEN_URL: github.tokenUrl,
        GITHUB_API_URL: github.apiUrl,
      },
    });
    try {
      const oauth = service(oauthWorker.url);
      // The backend's GET /auth/customer/github: Medusa's route answers {location}.
      const started = await oauth.authenticate("github", { actor_type: "customer", query: {}, body: {} });
      assert.equal(started.success, true, JSON.stringify(started));
      assert.ok(started.location.startsWith(github.authorizeUrl), started.location);
      // The user signs in at GitHub, which sends the browser to the storefront's callback page.
      const authorized = await fetch(started.location, { redirect: "manual" });
      await authorized.arrayBuffer();
      assert.equal(authorized.status, 302);
      const back = new URL(authorized.headers.get("location"));
      assert.equal(`${back.origin}${back.pathname}`, callbackUrl);
      // The storefront calls the backend's /auth/customer/github/callback with GitHub's query.
      const query = Object.fromEntries(back.searchParams);
      const signedIn = await oauth.validateCallback("github", { actor_type: "customer", query, body: {} });
      assert.equal(signedIn.success, true, JSON.stringify(signedIn));
      assert.equal(signedIn.authIdentity.provider_identities[0].provider, "github");
      assert.ok(!JSON.stringify(signedIn).includes("access_token"), "GitHub's token stays in the Worker");
      // The state was spent at the Worker: the same callback again fails, in Medusa's shape.
      const replayed = await oauth.validateCallback("github", { query, body: {} });
      assert.equal(replayed.success, false);
      assert.equal(typeof replayed.error, "string");
    } finally {
      await oauthWorker.dispose();
      await github.close();
    }
  });

  test("password reset as the backend runs it: a jti spent once, then updateProvider sets the password", async () => {
    const { authIdentity } = await auth.register("emailpass", login("reset@b.co"));
    // generateResetPasswordTokenWorkflow, with the identifier as the user typed it.
    const before = Date.now();
    const issued = await auth.createPasswordResetToken({ provider: "emailpass", entity_id: "Reset@B.co", ttl_seconds: 900 });
    assert.deepEqual(Object.keys(issued).sort(), ["expires_at", "jti"]);
    assert.match(issued.jti, /^[0-9a-f]{32}$/);
    assert.ok(issued.expires_at instanceof Date);
    const lifetime = issued.expires_at.getTime() - before;
    assert.ok(lifetime > 890_000 && lifetime <= 901_000, `expires in ${lifetime} ms`);

    // validate-token.js: consume with the token's entity_id, then find the provider identity.
    const stranger = await medusaError(auth.consumePasswordResetToken({ jti: issued.jti, provider: "emailpass", entity_id: "other@b.co" }));
    assert.equal(stranger.type, "unauthorized");
    assert.equal(stranger.message, "Invalid token");
    const spent = await auth.consumePasswordResetToken({ jti: issued.jti, provider: "emailpass", entity_id: "Reset@B.co" });
    const [pi] = await auth.listProviderIdentities({ entity_id: "Reset@B.co", provider: "emailpass" });
    assert.deepEqual(spent, { auth_identity_id: authIdentity.id, provider_identity_id: pi.id, entity_id: "reset@b.co" });
    const again = await medusaError(auth.consumePasswordResetToken({ jti: issued.jti, provider: "emailpass", entity_id: "Reset@B.co" }));
    assert.equal(again.type, "unauthorized");
    assert.equal(again.message, "Invalid token");

    // The update route: `{...req.body, entity_id}`.
    const updated = await auth.updateProvider("emailpass", { password: "a new horse staple", entity_id: pi.entity_id });
    assert.equal(updated.success, true, JSON.stringify(updated));
    assert.equal(updated.authIdentity.id, authIdentity.id);
    assert.ok(!JSON.stringify(updated).includes("password"), JSON.stringify(updated));
    const signIn = (password) => worker.post("/auth/customer/emailpass", { email: "reset@b.co", password });
    assert.equal((await signIn("a new horse staple")).status, 200);
    assert.equal((await signIn(PASSWORD)).status, 401);

    // Refusals: the flow's answer, never a throw.
    assert.deepEqual(await auth.updateProvider("emailpass", { entity_id: "reset@b.co" }), {
      success: false,
      error: "Password should be a string",
    });
    const unknown = await auth.updateProvider("emailpass", { entity_id: "nobody@b.co", password: "a new horse staple" });
    assert.equal(unknown.success, false);
    assert.match(unknown.error, /nobody@b\.co/);
    // A newer jti voids an older one; a bad TTL or an unknown entity is Medusa's invalid_data.
    const first = await auth.createPasswordResetToken({ provider: "emailpass", entity_id: "reset@b.co" });
    const second = await auth.createPasswordResetToken({ provider: "emailpass", entity_id: "reset@b.co" });
    const voided = await medusaError(auth.consumePasswordResetToken({ jti: first.jti, provider: "emailpass", entity_id: "reset@b.co" }));
    assert.equal(voided.type, "unauthorized");
    assert.equal((await auth.consumePasswordResetToken({ jti: second.jti, provider: "emailpass", entity_id: "reset@b.co" })).entity_id, "reset@b.co");
    const ttl = await medusaError(auth.createPasswordResetToken({ provider: "emailpass", entity_id: "reset@b.co", ttl_seconds: 0 }));
    assert.equal(ttl.type, "invalid_data");
    assert.equal(ttl.message, "Password reset token TTL must be a positive integer");
    const nobody = await medusaError(auth.createPasswordResetToken({ provider: "emailpass", entity_id: "nobody@b.co" }));
    assert.equal(nobody.type, "invalid_data");
    assert.equal(nobody.message, "Provider identity with entity_id nobody@b.co and provider emailpass not found");
  });

  test("retrieveAuthIdentity answers the identity with its provider identities, or not_found", async () => {
    const { authIdentity } = await auth.register("emailpass", login("get@b.co"));
    const found = await auth.retrieveAuthIdentity(authIdentity.id, { relations: ["provider_identities"] });
    assert.equal(found.id, authIdentity.id);
    assert.equal(found.provider_identities[0].entity_id, "get@b.co");
    assert.ok(!("password" in (found.provider_identities[0].provider_metadata ?? {})));
    const missing = await medusaError(auth.retrieveAuthIdentity("authid_missing"));
    assert.equal(missing.type, "not_found");
    assert.equal(missing.message, "AuthIdentity with id: authid_missing was not found");
    assert.equal((await medusaError(auth.retrieveAuthIdentity(""))).type, "not_found");
  });

  test("updateAuthIdentities stores app_metadata whole, as Medusa, and the Worker's refresh sees the actor", async () => {
    const { authIdentity } = await auth.register("emailpass", login("link@b.co"));
    const linked = await auth.updateAuthIdentities({ id: authIdentity.id, app_metadata: { customer_id: "cus_1", x: 1 } });
    assert.deepEqual(linked.app_metadata, { customer_id: "cus_1", x: 1 });
    // setAuthAppMetadataStep's compensation: the key left out is gone.
    const [unlinked] = await auth.updateAuthIdentities([{ id: authIdentity.id, app_metadata: { x: 1 } }]);
    assert.deepEqual(unlinked.app_metadata, { x: 1 });
    await auth.updateAuthIdentities({ id: authIdentity.id, app_metadata: { customer_id: "cus_2" } });
    assert.deepEqual((await auth.retrieveAuthIdentity(authIdentity.id)).app_metadata, { customer_id: "cus_2" });

    const res = await worker.post("/auth/customer/emailpass", { email: "link@b.co", password: PASSWORD });
    const { token } = await res.json();
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url"));
    assert.equal(claims.actor_id, "cus_2");

    const missing = await medusaError(auth.updateAuthIdentities({ id: "authid_missing", app_metadata: {} }));
    assert.equal(missing.type, "not_found");
    assert.equal((await medusaError(auth.updateAuthIdentities({ app_metadata: {} }))).type, "invalid_data");
  });

  test("listAuthIdentities, listAndCountAuthIdentities and listProviderIdentities filter like Medusa", async () => {
    const a = (await auth.register("emailpass", login("list-a@b.co"))).authIdentity;
    const b = (await auth.register("emailpass", login("list-b@b.co"))).authIdentity;
    const byId = await auth.listAuthIdentities({ id: [a.id, b.id, "authid_missing"] });
    assert.deepEqual(byId.map((i) => i.id).sort(), [a.id, b.id].sort());
    const byEntity = await auth.listAuthIdentities({ provider_identities: { entity_id: "list-b@b.co", provider: "emailpass" } });
    assert.deepEqual(byEntity.map((i) => i.id), [b.id]);
    const [page, count] = await auth.listAndCountAuthIdentities({ id: [a.id, b.id] }, { take: 1 });
    assert.equal(page.length, 1);
    assert.equal(count, 2);

    // The reset-password workflow's lookup.
    const [pi] = await auth.listProviderIdentities({ entity_id: "list-a@b.co", provider: "emailpass" });
    assert.equal(pi.auth_identity_id, a.id);
    assert.equal(pi.entity_id, "list-a@b.co");
    assert.deepEqual(await auth.listProviderIdentities({ entity_id: "nobody@b.co", provider: "emailpass" }), []);
    const ofB = await auth.listProviderIdentities({ auth_identity_id: b.id });
    assert.deepEqual(ofB.map((p) => p.entity_id), ["list-b@b.co"]);
    assert.equal((await auth.retrieveProviderIdentity(pi.id)).auth_identity_id, a.id);
    const missing = await medusaError(auth.retrieveProviderIdentity("provid_missing"));
    assert.equal(missing.type, "not_found");
  });

  test("deleteAuthIdentities removes them; createAuthIdentities restores what a workflow listed", async () => {
    const { authIdentity } = await auth.register("emailpass", login("gone@b.co"));
    await auth.updateAuthIdentities({ id: authIdentity.id, app_metadata: { user_id: "user_1" } });
    const prev = await auth.listAuthIdentities({ id: [authIdentity.id] }, { relations: ["provider_identities"] });
    await auth.deleteAuthIdentities([authIdentity.id, "authid_never_was"]);
    assert.equal((await medusaError(auth.retrieveAuthIdentity(authIdentity.id))).type, "not_found");
    // deleteAuthIdentityStep's compensation.
    const [restored] = await auth.createAuthIdentities(prev);
    assert.equal(restored.id, authIdentity.id);
    assert.deepEqual(restored.app_metadata, { user_id: "user_1" });
    assert.equal(restored.provider_identities[0].entity_id, "gone@b.co");
    // Without ids (the \`medusa user\` CLI's and Medusa's own create): made in Medusa's form.
    const made = await auth.createAuthIdentities({
      provider_identities: [{ entity_id: "made@b.co", provider: "emailpass", user_metadata: { name: "M" } }],
      app_metadata: { user_id: "user_2" },
    });
    assert.match(made.id, /^authid_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.match(made.provider_identities[0].id, /^provid_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.deepEqual(made.provider_identities[0].user_metadata, { name: "M" });
    const invalid = await medusaError(auth.createAuthIdentities({ app_metadata: {} }));
    assert.equal(invalid.type, "invalid_data");
    assert.match(invalid.message, /provider_identities/);
  });

  test("validateAuthIdentity answers the identity, or success false", async () => {
    const { authIdentity } = await auth.register("emailpass", login("valid@b.co"));
    const ok = await auth.validateAuthIdentity(authIdentity.id, "emailpass", { relations: ["provider_identities"] });
    assert.equal(ok.success, true);
    assert.equal(ok.authIdentity.provider_identities[0].entity_id, "valid@b.co");
    assert.deepEqual(await auth.validateAuthIdentity("authid_missing", "emailpass"), {
      success: false,
      error: "AuthIdentity with id: authid_missing was not found",
    });
  });

  test("MFA as the backend's /auth/mfa routes run it: enrol, recovery codes, a sign-in challenge, disable", async () => {
    const { authIdentity } = await auth.register("emailpass", login("mfa@b.co"));
    const auth_identity_id = authIdentity.id;
    assert.deepEqual(await auth.listAuthMfa({ auth_identity_id, status: "enabled" }), []);

    // POST /auth/mfa/factors, then …/{id}/verify (retrieveAuthMfa first, as the route does).
    const started = await auth.startAuthMfa({ auth_identity_id, provider: "totp", label: "mfa@b.co" });
    assert.deepEqual(Object.keys(started).sort(), ["mfa", "otpauth_url", "secret"]);
    assert.equal(started.mfa.status, "pending");
    assert.match(started.otpauth_url, /^otpauth:\/\/totp\//);
    const id = started.mfa.id;
    assert.equal((await auth.retrieveAuthMfa({ id, auth_identity_id })).status, "pending");
    const verified = await auth.verifyAuthMfa({ id, auth_identity_id, code: totp(started.secret) });
    assert.equal(verified.status, "enabled");
    const factors = await auth.listAuthMfa({ auth_identity_id, status: "enabled" }, { select: ["id"] });
    assert.deepEqual(factors.map((f) => [f.id, f.status, f.provider]), [[id, "enabled", "totp"]]);
    assert.ok(!JSON.stringify(factors).includes(started.secret));

    // Another identity's factor is not found; so is a missing one.
    const other = (await auth.register("emailpass", login("mfa-other@b.co"))).authIdentity.id;
    const stranger = await medusaError(auth.retrieveAuthMfa({ id, auth_identity_id: other }));
    assert.equal(stranger.type, "not_found");
    assert.equal(stranger.message, `MFA factor with id "${id}" was not found`);
    assert.equal((await medusaError(auth.verifyAuthMfa({ id, auth_identity_id: other, code: "123456" }))).type, "not_found");
    assert.equal((await medusaError(auth.retrieveAuthMfa({ auth_identity_id }))).type, "invalid_data");

    const { codes } = await auth.generateAuthMfaRecoveryCodes({ auth_identity_id, count: 2 });
    assert.equal(codes.length, 2);

    // Sign-in through the backend: Medusa's answer with a challenge instead of a plain success.
    const signedIn = await auth.authenticate("emailpass", login("mfa@b.co"));
    assert.equal(signedIn.success, true, JSON.stringify(signedIn));
    assert.equal(signedIn.authIdentity.id, auth_identity_id);
    const challenge = signedIn.mfaChallenge;
    assert.match(challenge.id, /^authmfachal_/);
    assert.deepEqual(challenge.methods, ["totp", "recovery_code"]);
    assert.equal(challenge.auth_provider, "emailpass");
    assert.equal((await auth.validateAuthIdentity(auth_identity_id, "emailpass")).mfaChallenge.auth_identity_id, auth_identity_id);

    // POST /auth/mfa/challenges/{id}/verify.
    const wrong = await medusaError(
      auth.verifyAuthMfaChallenge({ id: challenge.id, method: "recovery_code", code: "0000-0000", auth_identity_id }),
    );
    assert.equal(wrong.type, "not_allowed");
    const notMine = await medusaError(
      auth.verifyAuthMfaChallenge({ id: challenge.id, method: "recovery_code", code: codes[0], auth_identity_id: other }),
    );
    assert.equal(notMine.type, "not_found");
    const done = await auth.verifyAuthMfaChallenge({ id: challenge.id, method: "recovery_code", code: codes[0], auth_identity_id });
    assert.equal(done.id, challenge.id);
    assert.ok(!Number.isNaN(new Date(done.completed_at).getTime()), JSON.stringify(done));
    assert.equal(done.attempts, 2, "the wrong code and this one; not the other identity's try");

    // DELETE /auth/mfa/factors/{id}: then sign-in is plain again.
    assert.equal((await auth.disableAuthMfa({ id, method: "totp", code: "ignored", auth_identity_id })).status, "disabled");
    const plain = await auth.authenticate("emailpass", login("mfa@b.co"));
    assert.equal(plain.success, true);
    assert.ok(!("mfaChallenge" in plain));
    const none = await medusaError(auth.createAuthMfaChallenge({ auth_identity_id }));
    assert.equal(none.type, "not_allowed");
    assert.equal(none.message, "Auth identity does not have any enabled MFA methods");
    assert.equal((await medusaError(auth.listAuthMfa({}))).type, "invalid_data");
  });

  test("listAuthProviders answers the Worker's configured providers in Medusa's shape, filtered by id", async () => {
    // What the Worker's own discovery routes list, read here without the bridge.
    const { actors } = await (await fetch(`${worker.url}/auth/providers`)).json();
    const expected = new Map();
    for (const actor of Object.keys(actors)) {
      const { providers } = await (await fetch(`${worker.url}/auth/${actor}/providers`)).json();
      for (const p of providers) expected.set(p.id, p);
    }
    assert.ok(expected.has("emailpass"), JSON.stringify(actors));
    const listed = await auth.listAuthProviders();
    assert.deepEqual(listed.map((p) => p.id).sort(), [...expected.keys()].sort());
    for (const p of listed) {
      assert.deepEqual(Object.keys(p).sort(), ["display_name", "flow", "id", "identifier"]);
      assert.deepEqual(p, expected.get(p.id));
    }
    assert.deepEqual(await auth.listAuthProviders({ id: ["emailpass", "nope"] }), [expected.get("emailpass")]);
    assert.deepEqual(await auth.listAuthProviders({ id: "nope" }), []);
  });

  test("email verification as the backend runs it: requested with a code, found, confirmed once", async () => {
    const { authIdentity } = await auth.register("emailpass", login("verify@b.co"));
    const auth_identity_id = authIdentity.id;
    const filters = { auth_identity_id, entity_id: "verify@b.co", entity_type: "email" };
    assert.deepEqual(await auth.listAuthVerifications(filters), []);
    // requestVerificationWorkflow: the code goes into the backend's event, the verification to the caller.
    const before = Date.now();
    const requested = await auth.requestAuthVerification({ ...filters, code_provider: "token", metadata: { from: "test" } });
    assert.match(requested.id, /^authver_/);
    assert.equal(requested.verified_at, null);
    assert.deepEqual(requested.metadata, { from: "test" });
    assert.equal(typeof requested.code, "string");
    assert.ok(requested.expires_at instanceof Date);
    const lifetime = requested.expires_at.getTime() - before;
    assert.ok(lifetime > 890_000 && lifetime <= 901_000, `expires in ${lifetime} ms`);
    const [found] = await auth.listAuthVerifications(filters);
    assert.equal(found.id, requested.id);
    assert.ok(!JSON.stringify(found).includes(requested.code));

    const other = (await auth.register("emailpass", login("verify-other@b.co"))).authIdentity.id;
    const notYours = await medusaError(auth.confirmAuthVerification({ code: requested.code, auth_identity_id: other }));
    assert.equal(notYours.type, "not_allowed");
    assert.equal(notYours.message, "Verification code is invalid or already used");
    const confirmed = await auth.confirmAuthVerification({ code: requested.code, code_provider: "token", auth_identity_id });
    assert.equal(confirmed.id, requested.id);
    assert.ok(!Number.isNaN(new Date(confirmed.verified_at).getTime()), JSON.stringify(confirmed));
    assert.equal((await medusaError(auth.confirmAuthVerification({ code: requested.code }))).type, "not_allowed");
    assert.equal((await auth.listAuthVerifications(filters))[0].verified_at, confirmed.verified_at);
    // Someone else's address is not the identity's to verify; a partial filter is refused.
    const foreign = await medusaError(auth.requestAuthVerification({ ...filters, entity_id: "someone@else.co" }));
    assert.equal(foreign.type, "invalid_data");
    assert.equal((await medusaError(auth.listAuthVerifications({ auth_identity_id }))).type, "invalid_data");
  });

  test("module methods the bridge does not serve are refused with not_allowed naming the Worker", async () => {
    for (const method of ["useAuthMfaRecoveryCode", "retrieveAuthVerification", "listAndCountAuthVerifications", "createProviderIdentities"]) {
      const e = await medusaError(auth[method]({}));
      assert.equal(e.type, "not_allowed");
      assert.ok(e.message.includes(method) && e.message.includes(worker.url), e.message);
    }
  });

  test("a wrong admin secret is logged at start-up and named at the first call", async () => {
    const logger = recordingLogger();
    const wrong = service(worker.url, { adminSecret: "not-the-secret" }, logger);
    await wrong.__hooks.onApplicationStart();
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0][1], /refused the admin credential: set the module option "adminSecret" \(EDGE_AUTH_ADMIN_SECRET\)/);
    assert.ok(!logger.lines[0][1].includes("not-the-secret"));
    const e = await medusaError(wrong.retrieveAuthIdentity("authid_x"));
    assert.equal(e.type, "unexpected_state");
    assert.match(e.message, /adminSecret/);
    const flow = await wrong.register("emailpass", login("x@b.co"));
    assert.equal(flow.success, false);
    assert.match(flow.error, /EDGE_AUTH_ADMIN_SECRET/);
    assert.equal(await service(worker.url).checkConnection(), true);
  });
});

test("the end user's address reaches the Worker's per-IP limit; the backend's is not one client", { timeout: 60_000 }, async () => {
  const worker = await startWorker({
    vars: { ADMIN_SECRET, RATE_LIMITS: JSON.stringify({ authenticate: { ip: { limit: 2, window: "1m" } } }) },
  });
  try {
    const auth = service(worker.url);
    const from = (ip, email) => auth.authenticate("emailpass", { ...login(email, "wrong horse!"), headers: { "x-forwarded-for": `${ip}, 10.0.0.1` } });
    assert.equal((await from("203.0.113.7", "a@b.co")).error, "Invalid email or password");
    assert.equal((await from("203.0.113.7", "b@b.co")).error, "Invalid email or password");
    const limited = await from("203.0.113.7", "c@b.co");
    assert.equal(limited.success, false);
    assert.match(limited.error, /Too many/i);
    assert.equal((await from("198.51.100.9", "c@b.co")).error, "Invalid email or password");
    // No forwarded address: not counted per IP at all.
    for (const email of ["d@b.co", "e@b.co", "f@b.co"]) {
      assert.equal((await auth.authenticate("emailpass", login(email, "wrong horse!"))).error, "Invalid email or password");
    }
  } finally {
    await worker.dispose();
  }
});

/** A server on 127.0.0.1 that counts requests and answers with `respond(req, res)`. */
async function fakeWorker(respond) {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    respond(req, res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

test("a Worker that never answers: timeoutMs per attempt, retries for reads only, a message naming both", { timeout: 30_000 }, async () => {
  const hung = await fakeWorker(() => {});
  try {
    const auth = service(hung.url, { timeoutMs: 200, retries: 2 });
    const started = Date.now();
    const e = await medusaError(auth.retrieveAuthIdentity("authid_1"));
    const elapsed = Date.now() - started;
    assert.equal(e.type, "unexpected_state");
    assert.equal(e.message, `edge-auth: the Worker at ${hung.url} did not answer GET /admin/auth-identities/authid_1 within timeoutMs=200 ms`);
    assert.equal(hung.seen.length, 3, hung.seen.join("\n"));
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    hung.seen.length = 0;
    const flow = await auth.authenticate("emailpass", login("a@b.co"));
    assert.equal(flow.success, false);
    assert.match(flow.error, /did not answer POST \/admin\/auth\/emailpass\/authenticate within timeoutMs=200 ms/);
    assert.equal(hung.seen.length, 1, "register/authenticate are never retried");
  } finally {
    await hung.close();
  }
});

test("a Worker that fails: 5xx retried with backoff for reads, 4xx not, unreachable named", { timeout: 30_000 }, async () => {
  const failing = await fakeWorker((req, res) => {
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ type: "unexpected_state", message: "Storage is unavailable" }));
  });
  try {
    const auth = service(failing.url, { retries: 3 });
    const e = await medusaError(auth.listAuthIdentities({ id: ["authid_1"] }));
    assert.equal(e.type, "unexpected_state");
    assert.equal(e.message, "Storage is unavailable");
    assert.equal(failing.seen.length, 4);
    failing.seen.length = 0;
    const created = await medusaError(auth.createAuthIdentities({ provider_identities: [] }));
    assert.equal(created.type, "unexpected_state");
    assert.equal(failing.seen.length, 1, "a create is never retried");
    failing.seen.length = 0;
    const consumed = await medusaError(auth.consumePasswordResetToken({ jti: "j", provider: "emailpass", entity_id: "a@b.co" }));
    assert.equal(consumed.type, "unexpected_state");
    assert.deepEqual(await auth.updateProvider("emailpass", { entity_id: "a@b.co", password: "p" }), {
      success: false,
      error: "Storage is unavailable",
    });
    assert.equal(failing.seen.length, 2, "spending a jti and setting a password are never retried");
  } finally {
    await failing.close();
  }
  const invalid = await fakeWorker((req, res) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ type: "invalid_data", message: "Invalid cursor" }));
  });
  try {
    const e = await medusaError(service(invalid.url).retrieveAuthIdentity("authid_1"));
    assert.equal(e.type, "invalid_data");
    assert.equal(invalid.seen.length, 1);
  } finally {
    await invalid.close();
  }
  // Something else at the URL: a page, or a redirect (never followed: it could carry the secret away).
  const page = await fakeWorker((req, res) => {
    if (req.url.startsWith("/admin/auth-identities/authid_moved")) {
      res.writeHead(302, { location: "http://127.0.0.1:9/steal" });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html>hello</html>");
  });
  try {
    const e = await medusaError(service(page.url).retrieveAuthIdentity("authid_1"));
    assert.equal(e.type, "unexpected_state");
    assert.equal(e.message, `edge-auth: the Worker at ${page.url} answered GET /admin/auth-identities/authid_1 with 200 and no JSON object: is "url" the Worker?`);
    page.seen.length = 0;
    const moved = await medusaError(service(page.url, { retries: 0 }).retrieveAuthIdentity("authid_moved"));
    assert.equal(moved.type, "unexpected_state");
    assert.match(moved.message, /could not be reached/);
    assert.deepEqual(page.seen, ["GET /admin/auth-identities/authid_moved"]);
  } finally {
    await page.close();
  }
  // A closed port: refused at once, named.
  const closed = await fakeWorker(() => {});
  const url = closed.url;
  await closed.close();
  const e = await medusaError(service(url, { retries: 0 }).retrieveAuthIdentity("authid_1"));
  assert.equal(e.type, "unexpected_state");
  assert.ok(e.message.startsWith(`edge-auth: the Worker at ${url} could not be reached (GET /admin/auth-identities/authid_1)`), e.message);
});

test("options are checked at load, each message naming the option", () => {
  const cases = [
    [{ adminSecret: "s" }, /the option "url" is required: .*EDGE_AUTH_URL/],
    [{ url: "auth.example.com", adminSecret: "s" }, /the option "url" must be an absolute http\(s\) URL/],
    [{ url: "ftp://auth.example.com", adminSecret: "s" }, /the option "url" must be an http\(s\) URL/],
    [{ url: "https://auth.example.com" }, /the option "adminSecret" is required: .*EDGE_AUTH_ADMIN_SECRET/],
    [{ url: "https://auth.example.com", adminSecret: "s", timeoutMs: 0 }, /the option "timeoutMs" must be an integer/],
    [{ url: "https://auth.example.com", adminSecret: "s", timeoutMs: "5000" }, /the option "timeoutMs" must be an integer/],
    [{ url: "https://auth.example.com", adminSecret: "s", retries: -1 }, /the option "retries" must be an integer/],
    [{ url: "https://auth.example.com", adminSecret: "s", secret: "x" }, /unknown option "secret"/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new EdgeAuthModuleService({}, options), message);
    assert.rejects(bridge.loaders[0]({ options }), message);
  }
  const parsed = bridge.parseOptions({ url: "https://auth.example.com/", adminSecret: "s" });
  assert.deepEqual(parsed, { base: "https://auth.example.com", adminSecret: "s", timeoutMs: 5000, retries: 2 });
});

// Medusa 2.21's loader `require`s the resolved path of `edge-auth/medusa` (CommonJS) and reads
// `default ?? module`; with @medusajs/framework installed the bridge is a `Module("auth", …)` and throws
// the framework's own MedusaError. Needs the Medusa backend the medusa stage installs.
const MEDUSA_MODULES = process.env.MEDUSA_BACKEND_MODULES ?? join(REPO_ROOT, "tests", "medusa-backend", "node_modules");
test("with @medusajs/framework the export is Module(\"auth\", …) and errors are the framework's MedusaError", (t) => {
  if (!existsSync(join(MEDUSA_MODULES, "@medusajs", "framework"))) {
    t.skip(`no Medusa install at ${MEDUSA_MODULES} (the medusa stage makes it)`);
    return;
  }
  const script = `
    const utils = require("@medusajs/framework/utils");
    const m = require(${JSON.stringify(BRIDGE)});
    const def = m.default ?? m;
    if (m.MedusaError !== utils.MedusaError) throw new Error("not the framework's MedusaError");
    if (typeof def.service !== "function" || !def.linkable || !Array.isArray(def.loaders)) throw new Error("not a Module: " + Object.keys(def));
    if (typeof def.service.prototype.__joinerConfig !== "function") throw new Error("no joiner config");
    console.log("ok");
  `;
  const run = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, NODE_PATH: MEDUSA_MODULES }, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), "ok");
});
