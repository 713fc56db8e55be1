// A stock Medusa 2.21.2 backend on edge identities, end to end (issue 14): the built Worker in workerd, and
// the backend (tests/medusa-backend/, PostgreSQL from tests/medusa/run.sh) with edge-auth/medusa as its
// Auth Module. The storefront registers and signs in at the Worker only; the backend links the customer
// through the bridge and accepts the Worker's tokens; an admin's forgot-password at the backend sets the
// password in the Worker, the backend's MFA and verification routes work over the Worker's records, and a
// GitHub sign-in (a local fake) runs through the backend's authenticate and callback routes. Setup:
// docs/medusa-backend.md; the stage: docs/development.md#test-stages. Run it with ./scripts/test.sh medusa.

import assert from "node:assert/strict";
import { createHmac, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { TEST_JWT_SECRET, decodeJwt, jsonBody, startWorker } from "../worker/harness.mjs";
import { totp } from "../js-sdk/totp.mjs";
import { ADMIN_SECRET, medusaCli, postJson, stageEnv, startBackend, timed } from "./stack.mjs";

const { publishableKey } = stageEnv();
const PASSWORD = "correct horse battery staple";
/** The Worker's MFA_ENCRYPTION_KEY (TOTP secrets at rest); every Worker of the suite shares the KV, so the key. */
const MFA_ENCRYPTION_KEY = "mfa-medusa-e2e-stage-0123456789abcdef";
// The bridge's default retries (2) after the first attempt: a call to a dead Worker is tried 3 times.
const BRIDGE_ATTEMPTS = 3;

/** Every Worker of the suite shares one KV directory: identities outlive a restart in another mode. Inside
 * run.sh's temp dir, which its trap removes even when an interrupt skips `after`. */
const kvPersist = mkdtempSync(join(process.env.MEDUSA_STAGE_TMP ?? tmpdir(), "edge-auth-medusa-kv-"));
/** Where the backend's test subscriber (tests/medusa-backend/src/subscribers/capture-mailed-secrets.js)
 * appends each `auth.password_reset` and `auth.verification_requested` event: what a shop would mail. */
const resetDir = mkdtempSync(join(process.env.MEDUSA_STAGE_TMP ?? tmpdir(), "edge-auth-medusa-resets-"));
const RESET_FILE = join(resetDir, "password-resets.ndjson");
/** How to end what is still running (Workers, backends, servers), whatever failed: see `after`. */
const running = new Set();

/** Who the HS256 flows made, signed in again after the switch to ES256. */
let shopper;
let admin;

const timings = [];
function report(what, ms) {
  timings.push([what, ms]);
  console.log(`timing: ${what}: ${(ms / 1000).toFixed(1)} s`);
}

/** Registers `end` to run in `after` unless it ran before; answers a function that runs it now. */
function ending(end) {
  running.add(end);
  return async () => {
    if (running.delete(end)) await end();
  };
}

async function worker(vars = {}) {
  const w = await startWorker({ kvPersist, vars: { ADMIN_SECRET, MFA_ENCRYPTION_KEY, ...vars } });
  return { ...w, dispose: ending(() => w.dispose()) };
}

async function backend(name, env) {
  const b = await startBackend(name, env);
  report(`medusa start (${name})`, b.startMs);
  return { ...b, stop: ending(() => b.stop()) };
}

/** medusa-config.js's variables for a backend whose Auth Module is the bridge to `worker`. */
const bridgeTo = (workerUrl, env = {}) => ({
  EDGE_AUTH_URL: workerUrl,
  EDGE_AUTH_ADMIN_SECRET: ADMIN_SECRET,
  JWT_SECRET: TEST_JWT_SECRET,
  EDGE_AUTH_E2E_RESET_FILE: RESET_FILE,
  ...env,
});

/** Every `name` event for `entityId` the subscriber has written so far. */
function mailedEvents(name, entityId) {
  const lines = existsSync(RESET_FILE) ? readFileSync(RESET_FILE, "utf8").split("\n").filter(Boolean) : [];
  return lines.map((line) => JSON.parse(line)).filter((e) => e.name === name && e.data.entity_id === entityId);
}

/** The data of the last `name` event for `entityId` the subscriber wrote (events are delivered after
 * the route answered: polled for up to 20 s). */
async function mailedEvent(name, entityId) {
  const by = Date.now() + 20_000;
  for (;;) {
    const event = mailedEvents(name, entityId).at(-1);
    if (event) return event.data;
    if (Date.now() > by) assert.fail(`no ${name} event for ${entityId} in ${RESET_FILE}`);
    await sleep(100);
  }
}

const bearer = (token) => ({ authorization: `Bearer ${token}` });
const store = (token) => ({ "x-publishable-api-key": publishableKey, ...(token ? bearer(token) : {}) });

async function tokenOf(response) {
  const body = await jsonBody(response, 200);
  assert.equal(typeof body.token, "string", JSON.stringify(body));
  return body.token;
}

/** Storefront sign-up: register at the Worker, then create the customer at the backend (which links it
 * through the bridge). Answers { email, registered (token), customer }. */
async function signUp(edge, medusa, email) {
  const registered = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass/register", { email, password: PASSWORD }));
  assert.equal(decodeJwt(registered).payload.actor_id, "", "a new identity has no actor yet");
  const created = await jsonBody(
    await postJson(medusa.url, "/store/customers", { email, first_name: "Edge", last_name: "Shopper" }, store(registered)),
    200,
  );
  assert.match(created.customer.id, /^cus_/);
  assert.equal(created.customer.email, email);
  return { email, registered, customer: created.customer };
}

async function me(medusa, token) {
  return medusa.fetch("/store/customers/me", { headers: store(token) });
}

after(async () => {
  for (const end of [...running].reverse()) {
    running.delete(end);
    await end().catch((error) => console.error(`cleanup: ${error}`));
  }
  rmSync(kvPersist, { recursive: true, force: true });
  rmSync(resetDir, { recursive: true, force: true });
  if (timings.length) {
    console.log("timings of the medusa stage's flows:");
    for (const [what, ms] of timings) console.log(`  ${what}: ${(ms / 1000).toFixed(1)} s`);
  }
});

/** The storefront page GitHub sends the browser back to; it calls the callback route of its choice. */
const GITHUB_CALLBACK_URL = "https://shop.example/auth/customer/github/callback";

describe("HS256: the backend verifies the Worker's tokens with the shared secret", () => {
  let edge;
  let medusa;
  let github;

  before(async () => {
    const { startGithubFake } = await import("../fixtures/oauth/github-fake.mjs");
    github = await startGithubFake({ clientId: "e2e-gh", clientSecret: "e2e-gh-secret", redirectUris: [GITHUB_CALLBACK_URL] });
    running.add(() => github.close());
    edge = await worker({
      GITHUB_CLIENT_ID: "e2e-gh",
      GITHUB_CLIENT_SECRET: "e2e-gh-secret",
      GITHUB_CALLBACK_URL,
      GITHUB_AUTHORIZATION_URL: github.authorizeUrl,
      GITHUB_TOKEN_URL: github.tokenUrl,
      GITHUB_API_URL: github.apiUrl,
    });
    medusa = await backend("hs256", bridgeTo(edge.url));
  });

  test("third-party sign-in through the backend: its /auth/customer/github, GitHub, its callback route (validateCallback)", async () => {
    const [, ms] = await timed(async () => {
      const started = await jsonBody(await medusa.fetch("/auth/customer/github"), 200);
      assert.ok(started.location?.startsWith(github.authorizeUrl), JSON.stringify(started));
      const authorized = await fetch(started.location, { redirect: "manual" });
      await authorized.arrayBuffer();
      assert.equal(authorized.status, 302);
      const back = new URL(authorized.headers.get("location"));
      assert.equal(`${back.origin}${back.pathname}`, GITHUB_CALLBACK_URL);
      // The storefront page passes GitHub's query on to the backend's callback route.
      const callback = `/auth/customer/github/callback${back.search}`;
      const token = await tokenOf(await medusa.fetch(callback));
      const { payload } = decodeJwt(token);
      assert.match(payload.auth_identity_id, /^authid_/);
      assert.equal(payload.actor_id, "", "a new identity has no customer yet");
      assert.equal(payload.auth_provider, "github");
      // The identity is the Worker's, and the state was spent there: the same callback again is refused.
      const identity = await jsonBody(
        await edge.fetch(`/admin/auth-identities/${payload.auth_identity_id}`, { headers: bearer(ADMIN_SECRET) }),
        200,
      );
      assert.equal(identity.auth_identity.provider_identities[0].provider, "github");
      const replayed = await medusa.fetch(callback);
      assert.equal(replayed.status, 401, await replayed.text());
    });
    report("third-party sign-in through the backend", ms);
  });

  test("storefront: register at the Worker, the customer at the backend, refresh carries actor_id, /store/customers/me", async () => {
    const [, ms] = await timed(async () => {
      const email = `shopper-${Date.now()}@example.com`;
      const signed = await signUp(edge, medusa, email);

      // The registration token has no actor: the backend does not take it as a customer.
      assert.equal((await me(medusa, signed.registered)).status, 401);

      // The bridge wrote customer_id on the identity in the Worker's KV.
      const listed = await jsonBody(
        await edge.fetch(`/admin/auth-identities?entity_id=${encodeURIComponent(email)}`, { headers: bearer(ADMIN_SECRET) }),
        200,
      );
      assert.equal(listed.auth_identities.length, 1);
      assert.equal(listed.auth_identities[0].app_metadata.customer_id, signed.customer.id);

      const refreshed = await tokenOf(await postJson(edge.url, "/auth/token/refresh", {}, bearer(signed.registered)));
      const claims = decodeJwt(refreshed).payload;
      assert.equal(claims.actor_id, signed.customer.id);
      assert.equal(claims.actor_type, "customer");

      const mine = await jsonBody(await me(medusa, refreshed), 200);
      assert.equal(mine.customer.id, signed.customer.id);
      assert.equal(mine.customer.email, email);

      // Signing in again (a new token, straight from the Worker) reaches the same customer.
      const login = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass", { email, password: PASSWORD }));
      assert.equal((await jsonBody(await me(medusa, login), 200)).customer.id, signed.customer.id);

      // Creating the customer twice with the linked identity's token is Medusa's refusal, not a second one.
      const again = await postJson(medusa.url, "/store/customers", { email }, store(refreshed));
      assert.equal(again.status, 400);
      assert.equal((await again.json()).message, "Request already authenticated as a customer.");
      shopper = { email, customerId: signed.customer.id };
    });
    report("storefront flow (HS256)", ms);
  });

  test("GET /auth/{actor}/providers at the backend lists the Worker's providers (listAuthProviders)", async () => {
    const atWorker = await jsonBody(await edge.fetch("/auth/customer/providers"), 200);
    const atBackend = await jsonBody(await medusa.fetch("/auth/customer/providers"), 200);
    assert.ok(atWorker.providers.some((p) => p.id === "emailpass"), JSON.stringify(atWorker));
    // The backend sets no authMethodsPerActor: it lists every provider the Worker has, the customer's among them.
    for (const provider of atWorker.providers) {
      assert.deepEqual(atBackend.providers.find((p) => p.id === provider.id), provider);
    }
  });

  test("a token signed with another secret is refused by the backend", async () => {
    assert.ok(shopper, "needs the storefront flow");
    const login = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass", { email: shopper.email, password: PASSWORD }));
    const [header, payload] = login.split(".");
    const forged = `${header}.${payload}.${createHmac("sha256", "another secret").update(`${header}.${payload}`).digest("base64url")}`;
    assert.equal((await me(medusa, forged)).status, 401);
  });

  test("admin: `medusa user` creates the identity in the Worker, the admin signs in there, /admin/users/me", async () => {
    const [, ms] = await timed(async () => {
      const email = `admin-${Date.now()}@example.com`;
      const cli = await medusaCli("medusa-user", ["user", "-e", email, "-p", PASSWORD], bridgeTo(edge.url));
      assert.equal(cli.code, 0, `medusa user failed:\n${cli.output}`);

      const listed = await jsonBody(
        await edge.fetch(`/admin/auth-identities?entity_id=${encodeURIComponent(email)}`, { headers: bearer(ADMIN_SECRET) }),
        200,
      );
      assert.equal(listed.auth_identities.length, 1, JSON.stringify(listed));
      const identity = listed.auth_identities[0];
      assert.match(identity.app_metadata.user_id ?? "", /^user_/);
      assert.equal(identity.provider_identities[0].provider, "emailpass");

      const token = await tokenOf(await postJson(edge.url, "/auth/user/emailpass", { email, password: PASSWORD }));
      assert.equal(decodeJwt(token).payload.actor_id, identity.app_metadata.user_id);
      const mine = await jsonBody(await medusa.fetch("/admin/users/me", { headers: bearer(token) }), 200);
      assert.equal(mine.user.id, identity.app_metadata.user_id);
      assert.equal(mine.user.email, email);

      admin = { email, userId: identity.app_metadata.user_id };

      // A customer's token is not an admin's.
      const customer = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass", { email: shopper.email, password: PASSWORD }));
      assert.equal((await medusa.fetch("/admin/users/me", { headers: bearer(customer) })).status, 401);
    });
    report("admin flow (medusa user + sign-in)", ms);
  });

  test("admin forgot password at the backend: its reset token sets the password in the Worker, once", async () => {
    assert.ok(admin, "needs the admin flow");
    const [, ms] = await timed(async () => {
      const signIn = (password) => postJson(edge.url, "/auth/user/emailpass", { email: admin.email, password });
      const before = await tokenOf(await signIn(PASSWORD));
      // The dashboard's "forgot password", the email as typed (the Worker's emails are case-insensitive).
      const typed = admin.email.toUpperCase();
      const requested = await postJson(medusa.url, "/auth/user/emailpass/reset-password", { identifier: typed });
      assert.equal(requested.status, 201);
      const event = await mailedEvent("auth.password_reset", typed);
      assert.equal(event.actor_type, "user");
      // The backend signed it; its jti was issued by the Worker (createPasswordResetToken through the bridge).
      const claims = decodeJwt(event.token).payload;
      assert.equal(claims.purpose, "reset");
      assert.match(claims.jti, /^[0-9a-f]{32}$/);

      const newPassword = "a new admin horse staple";
      const update = (token) =>
        postJson(medusa.url, "/auth/user/emailpass/update", { password: newPassword }, bearer(token));
      const updated = await update(event.token);
      assert.deepEqual(await jsonBody(updated, 200), { success: true });

      // The Worker now takes the new password only, and the tokens from before are void.
      const after = await tokenOf(await signIn(newPassword));
      assert.equal(decodeJwt(after).payload.actor_id, admin.userId);
      assert.equal((await signIn(PASSWORD)).status, 401);
      assert.equal((await postJson(edge.url, "/auth/token/refresh", {}, bearer(before))).status, 401);
      const mine = await jsonBody(await medusa.fetch("/admin/users/me", { headers: bearer(after) }), 200);
      assert.equal(mine.user.id, admin.userId);

      // The same reset token again: its jti is spent.
      const replayed = await update(event.token);
      assert.equal(replayed.status, 401);
      assert.equal((await replayed.json()).message, "Invalid token");
      // An unknown email: the same 201 (the workflow fails quietly: no enumeration).
      const unknown = await postJson(medusa.url, "/auth/user/emailpass/reset-password", { identifier: `nobody-${Date.now()}@example.com` });
      assert.equal(unknown.status, 201);
      admin.password = newPassword;
    });
    report("admin password reset at the backend", ms);
  });

  test("admin MFA through the backend's /auth/mfa routes: enrol, recovery codes, a challenge at sign-in, disable", async () => {
    assert.ok(admin?.password, "needs the admin password reset");
    const [, ms] = await timed(async () => {
      const credentials = { email: admin.email, password: admin.password };
      const signIn = async () => jsonBody(await postJson(medusa.url, "/auth/user/emailpass", credentials), 200);
      const { token } = await signIn();
      const as = (t) => bearer(t);

      const started = await jsonBody(await postJson(medusa.url, "/auth/mfa/factors", { provider: "totp" }, as(token)), 200);
      assert.equal(started.mfa_factor.status, "pending");
      const factorId = started.mfa_factor.id;
      const verified = await jsonBody(
        await postJson(medusa.url, `/auth/mfa/factors/${factorId}/verify`, { code: totp(started.secret) }, as(token)),
        200,
      );
      assert.equal(verified.mfa_factor.status, "enabled");
      const { recovery_codes: codes } = await jsonBody(await postJson(medusa.url, "/auth/mfa/recovery-codes", {}, as(token)), 200);
      assert.equal(codes.length, 10);
      // The factor lives in the Worker: its admin API lists it.
      const listed = await jsonBody(
        await edge.fetch(`/admin/auth-identities/${verified.mfa_factor.auth_identity_id}/mfa-factors`, { headers: bearer(ADMIN_SECRET) }),
        200,
      );
      assert.deepEqual(listed.mfa_factors.map((f) => [f.id, f.status]), [[factorId, "enabled"]]);

      // Sign-in at the backend now owes the second factor: an actor-less token and the challenge.
      const pending = await signIn();
      assert.equal(pending.mfa_required, true, JSON.stringify(pending));
      assert.deepEqual(pending.mfa_challenge.methods, ["totp", "recovery_code"]);
      assert.equal(decodeJwt(pending.token).payload.actor_id, "");
      assert.equal((await medusa.fetch("/admin/users/me", { headers: as(pending.token) })).status, 401);
      const passed = await jsonBody(
        await postJson(
          medusa.url,
          `/auth/mfa/challenges/${pending.mfa_challenge.id}/verify`,
          { method: "recovery_code", code: codes[0] },
          as(pending.token),
        ),
        200,
      );
      const claims = decodeJwt(passed.token).payload;
      assert.equal(claims.actor_id, admin.userId);
      assert.equal(claims.mfa_enabled, true);
      assert.equal(typeof claims.mfa_challenge_completed_at, "string");
      assert.equal((await jsonBody(await medusa.fetch("/admin/users/me", { headers: as(passed.token) }), 200)).user.id, admin.userId);
      // The same recovery code again, on a new challenge: spent.
      const again = await signIn();
      const reused = await postJson(
        medusa.url,
        `/auth/mfa/challenges/${again.mfa_challenge.id}/verify`,
        { method: "recovery_code", code: codes[0] },
        as(again.token),
      );
      assert.equal(reused.status, 400);
      // The Worker's own sign-in asks for the same factor.
      const atWorker = await jsonBody(await postJson(edge.url, "/auth/user/emailpass", credentials), 200);
      assert.equal(atWorker.mfa_required, true);

      const disabled = await jsonBody(
        await medusa.fetch(`/auth/mfa/factors/${factorId}`, {
          method: "DELETE",
          headers: { "content-type": "application/json", ...as(passed.token) },
          body: "{}",
        }),
        200,
      );
      assert.equal(disabled.mfa_factor.status, "disabled");
      const plain = await signIn();
      assert.equal(plain.mfa_required, undefined);
      assert.equal(decodeJwt(plain.token).payload.actor_id, admin.userId);
    });
    report("admin MFA through the backend", ms);
  });

  test("email verification through the backend's /auth/verification routes: the event's code confirms, once", async () => {
    assert.ok(shopper, "needs the storefront flow");
    const [, ms] = await timed(async () => {
      const token = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass", { email: shopper.email, password: PASSWORD }));
      const request = { entity_id: shopper.email, entity_type: "email" };
      const requested = await jsonBody(await postJson(medusa.url, "/auth/verification/request", request, bearer(token)), 201);
      assert.equal(requested.verification.entity_id, shopper.email);
      assert.equal(requested.verification.verified_at, null);
      assert.ok(!("code" in requested.verification), "the code goes to the event only");
      const event = await mailedEvent("auth.verification_requested", shopper.email);
      assert.equal(typeof event.code, "string");
      // The verification lives in the Worker.
      const confirmed = await jsonBody(
        await postJson(medusa.url, "/auth/verification/confirm", { code: event.code }, bearer(token)),
        200,
      );
      assert.equal(confirmed.entity_id, shopper.email);
      assert.equal(confirmed.code_provider, "token");
      assert.ok(!Number.isNaN(new Date(confirmed.verified_at).getTime()), JSON.stringify(confirmed));
      const again = await postJson(medusa.url, "/auth/verification/confirm", { code: event.code }, bearer(token));
      assert.equal(again.status, 400);
      assert.equal((await again.json()).message, "Verification code is invalid or already used");
      // Someone else's address is not this identity's to verify.
      const foreign = await postJson(medusa.url, "/auth/verification/request", { entity_id: "someone@example.com", entity_type: "email" }, bearer(token));
      assert.equal(foreign.status, 400);
    });
    report("email verification through the backend", ms);
  });

  test("fault: with the Worker stopped, POST /store/customers answers Medusa's error naming the Worker, without hanging", async () => {
    const email = `stranded-${Date.now()}@example.com`;
    const registered = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass/register", { email, password: PASSWORD }));
    await edge.dispose();
    const [response, ms] = await timed(() =>
      postJson(medusa.url, "/store/customers", { email }, store(registered)),
    );
    const body = await response.json();
    assert.equal(response.status, 500, JSON.stringify(body));
    assert.equal(body.type, "unexpected_state");
    assert.match(body.message, /^edge-auth: the Worker at http:\/\/127\.0\.0\.1:\d+ could not be reached/);
    // Refused connections fail at once: only the backoff between the attempts (100 + 200 ms) is spent.
    assert.ok(ms < 5000, `answered after ${ms} ms`);
    report("fault: Worker stopped", ms);
    await medusa.stop();
  });
});

/** `token` with its signature replaced by one of `privateKey` (ES256: raw r||s, as JWS wants). */
function resignEs256(token, privateKey) {
  const [header, payload] = token.split(".");
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${header}.${payload}.${signature.toString("base64url")}`;
}

/** `token`'s claims in an HS256 token signed with `secret` (what a holder of the old secret could make). */
function asHs256(token, secret) {
  const payload = token.split(".")[1];
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
  return `${header}.${payload}.${createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url")}`;
}

describe("ES256: the backend verifies with the public key from the Worker's JWKS (jwtPublicKey, algorithms pinned)", () => {
  let edge;
  let medusa;
  const signing = generateKeyPairSync("ec", { namedCurve: "P-256" });

  before(async () => {
    // The same KV as the HS256 Worker: the shop switches its signing mode, its identities stay.
    edge = await worker({
      JWT_ALGORITHM: "ES256",
      JWT_PRIVATE_KEY: signing.privateKey.export({ type: "pkcs8", format: "pem" }),
    });
    // The public key as docs/configuration.md tells a shop to get it: the first key of the JWKS, as PEM.
    const { keys } = await jsonBody(await fetch(new URL("/.well-known/jwks.json", edge.url)), 200);
    const publicPem = createPublicKey({ key: keys[0], format: "jwk" }).export({ type: "spki", format: "pem" });
    assert.equal(publicPem, signing.publicKey.export({ type: "spki", format: "pem" }), "the JWKS lists the signing key");
    medusa = await backend(
      "es256",
      // JWT_SECRET stays the old HS256 secret (Medusa's config wants one): the pinned algorithms are what
      // keep tokens made with it out.
      bridgeTo(edge.url, { JWT_PUBLIC_KEY: publicPem, JWT_ALGORITHMS: "ES256" }),
    );
  });

  test("storefront: the whole sign-up flow with ES256 tokens, and the HS256-era customer signs in again", async () => {
    const [, ms] = await timed(async () => {
      const email = `es256-shopper-${Date.now()}@example.com`;
      const signed = await signUp(edge, medusa, email);
      assert.equal(decodeJwt(signed.registered).header.alg, "ES256");
      const refreshed = await tokenOf(await postJson(edge.url, "/auth/token/refresh", {}, bearer(signed.registered)));
      assert.equal(decodeJwt(refreshed).payload.actor_id, signed.customer.id);
      const mine = await jsonBody(await me(medusa, refreshed), 200);
      assert.equal(mine.customer.email, email);

      assert.ok(shopper, "needs the HS256 storefront flow");
      const login = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass", { email: shopper.email, password: PASSWORD }));
      assert.equal(decodeJwt(login).header.alg, "ES256");
      assert.equal((await jsonBody(await me(medusa, login), 200)).customer.id, shopper.customerId);
    });
    report("storefront flow (ES256)", ms);
  });

  test("refused by the backend: the same claims signed by another P-256 key, or as HS256 with the old secret", async () => {
    const login = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass", { email: shopper.email, password: PASSWORD }));
    assert.equal((await me(medusa, login)).status, 200);
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    assert.equal((await me(medusa, resignEs256(login, stranger))).status, 401);
    assert.equal((await me(medusa, asHs256(login, TEST_JWT_SECRET))).status, 401);
  });

  test("the backend's own forgot-password cannot sign a reset token without the private key: 201, nothing mailed", async () => {
    assert.ok(admin, "needs the HS256 admin flow");
    // The email in a casing no other test uses, so this request's event (if any) is told apart.
    const typed = admin.email.charAt(0).toUpperCase() + admin.email.slice(1);
    const requested = await postJson(medusa.url, "/auth/user/emailpass/reset-password", { identifier: typed });
    assert.equal(requested.status, 201, "Medusa answers 201 whatever happened, not to tell which emails exist");
    // Events are delivered after the answer: wait as long as the HS256 test's one took, several times over.
    await sleep(5_000);
    assert.deepEqual(mailedEvents("auth.password_reset", typed), [], "jwtOptions.algorithm ES256 with no private key: the workflow's signing step fails");
  });

  test("admin: the user `medusa user` made signs in at the ES256 Worker, /admin/users/me", async () => {
    assert.ok(admin, "needs the HS256 admin flow");
    const token = await tokenOf(await postJson(edge.url, "/auth/user/emailpass", { email: admin.email, password: admin.password ?? PASSWORD }));
    const mine = await jsonBody(await medusa.fetch("/admin/users/me", { headers: bearer(token) }), 200);
    assert.equal(mine.user.id, admin.userId);
    await medusa.stop();
    await edge.dispose();
  });
});

describe("EdDSA: what a stock Medusa 2.21.2 backend cannot verify", () => {
  test("the Worker's valid EdDSA token is refused by the backend (jsonwebtoken 9 has no Ed25519): use ES256", async () => {
    assert.ok(shopper, "needs the HS256 storefront flow");
    const signing = generateKeyPairSync("ed25519");
    const edge = await worker({
      JWT_ALGORITHM: "EdDSA",
      JWT_PRIVATE_KEY: JSON.stringify(signing.privateKey.export({ format: "jwk" })),
    });
    const publicPem = signing.publicKey.export({ type: "spki", format: "pem" });
    const medusa = await backend("eddsa", bridgeTo(edge.url, { JWT_PUBLIC_KEY: publicPem, JWT_ALGORITHMS: "EdDSA" }));
    try {
      const login = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass", { email: shopper.email, password: PASSWORD }));
      assert.equal(decodeJwt(login).header.alg, "EdDSA");
      // The token is sound (node:crypto verifies it with the same public key)...
      const [header, payload, signature] = login.split(".");
      assert.ok(verify(null, Buffer.from(`${header}.${payload}`), signing.publicKey, Buffer.from(signature, "base64url")));
      // ...and Medusa's authenticate middleware still answers 401.
      assert.equal((await me(medusa, login)).status, 401);
    } finally {
      await medusa.stop();
      await edge.dispose();
    }
  });
});

describe("faults the backend reports with Medusa's errors", () => {
  test("a Worker that never answers: the bridge's timeout ends each attempt, the backend answers", async () => {
    // Accepts connections and never answers: what a hung upstream looks like to the bridge.
    const sockets = new Set();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const closeSilent = ending(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const silentUrl = `http://127.0.0.1:${silent.address().port}`;
    const timeoutMs = 1500;
    // A token the backend accepts (its claims are the Worker's: any HS256 token with the shared secret).
    const edge = await worker();
    const email = `hung-${Date.now()}@example.com`;
    const registered = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass/register", { email, password: PASSWORD }));
    await edge.dispose();
    const medusa = await backend("hung-worker", bridgeTo(silentUrl, { EDGE_AUTH_TIMEOUT_MS: String(timeoutMs) }));
    try {
      const [response, ms] = await timed(() => postJson(medusa.url, "/store/customers", { email }, store(registered)));
      const body = await response.json();
      assert.equal(response.status, 500, JSON.stringify(body));
      assert.equal(body.type, "unexpected_state");
      assert.match(body.message, new RegExp(`^edge-auth: the Worker at ${silentUrl.replace(/\./g, "\\.")} did not answer GET /admin/auth-identities/\\S+ within timeoutMs=${timeoutMs} ms`));
      assert.ok(ms >= timeoutMs, `answered after ${ms} ms, before one timeout`);
      assert.ok(ms < BRIDGE_ATTEMPTS * timeoutMs + 3000, `answered after ${ms} ms`);
      report(`fault: Worker never answers (timeoutMs=${timeoutMs})`, ms);
    } finally {
      await medusa.stop();
      await closeSilent();
    }
  });

  test("a wrong admin secret: named at start-up in the log and in the answer of the first call", async () => {
    const edge = await worker();
    const email = `locked-out-${Date.now()}@example.com`;
    const registered = await tokenOf(await postJson(edge.url, "/auth/customer/emailpass/register", { email, password: PASSWORD }));
    const medusa = await backend("wrong-admin-secret", bridgeTo(edge.url, { EDGE_AUTH_ADMIN_SECRET: "not-the-workers-admin-secret-0123456789" }));
    try {
      const response = await postJson(medusa.url, "/store/customers", { email }, store(registered));
      const body = await response.json();
      assert.equal(response.status, 500, JSON.stringify(body));
      assert.match(body.message, /refused the admin credential: set the module option "adminSecret" \(EDGE_AUTH_ADMIN_SECRET\)/);
      assert.match(readFileSync(medusa.log, "utf8"), /edge-auth\/medusa: .*refused the admin credential/);
    } finally {
      await medusa.stop();
      await edge.dispose();
    }
  });
});
