// The seed page's flows against the installed `edge-auth` package, imported by its name as users do.
// Run inside a fresh project with the packed tarball installed (see ../package.test.mjs), on each Node.
import assert from "node:assert/strict";
import { createHmac, createPublicKey, generateKeyPairSync, timingSafeEqual, verify as verifySignature } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { AuthModuleService, EdgeAuthError, MemoryStore } from "edge-auth";

/** Fast hashing for the functional tests; the timing test below uses the real work factor. */
const newService = (store = new MemoryStore()) =>
  new AuthModuleService({ store, providers: [{ id: "emailpass", options: { iterations: 1000 } }] });

const login = (email, password) => ({ body: { email, password } });

test("Node resolves the package to its node entry", () => {
  assert.match(import.meta.resolve("edge-auth"), /\/node_modules\/edge-auth\/node\.js$/);
});

test("auth flow 1: register, then authenticate", async () => {
  const authModuleService = newService();
  const registered = await authModuleService.register("emailpass", login("Ada@Example.com", "supersecret"));
  assert.equal(registered.success, true);
  assert.match(registered.authIdentity.id, /^authid_/);
  assert.deepEqual(Object.keys(registered).sort(), ["authIdentity", "success"]);
  const [pi] = registered.authIdentity.provider_identities;
  assert.equal(pi.entity_id, "ada@example.com");
  assert.equal(pi.provider, "emailpass");
  assert.deepEqual(pi.provider_metadata, {}, "the password hash is never handed out");

  const { success, authIdentity, location } = await authModuleService.authenticate(
    "emailpass",
    { url: "https://shop.example/auth", headers: { "user-agent": "test" }, query: {}, protocol: "https", ...login("ada@example.com", "supersecret") },
  );
  assert.equal(success, true);
  assert.equal(location, undefined);
  assert.equal(authIdentity.id, registered.authIdentity.id);

  const wrong = await authModuleService.authenticate("emailpass", login("ada@example.com", "not it"));
  assert.deepEqual(wrong, { success: false, error: "Invalid email or password" });
  const again = await authModuleService.register("emailpass", login("ada@example.com", "other password"));
  assert.deepEqual(again, { success: false, error: "Identity with email already exists" });
});

test("auth flow 2: a third-party provider that is not configured answers Medusa's error", async () => {
  const authModuleService = newService();
  for (const call of ["authenticate", "validateCallback"]) {
    const response = await authModuleService[call]("google", { query: { code: "x", state: "y" } });
    assert.deepEqual(response, { success: false, error: "\nUnable to retrieve the auth provider with id: google\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file." });
  }
});

test("reset password: update (the seed's name) and updateProvider", async () => {
  const authModuleService = newService();
  await authModuleService.register("emailpass", login("user@example.com", "supersecret"));
  const { success } = await authModuleService.update("emailpass", { email: "user@example.com", password: "newsecret1" });
  assert.equal(success, true);
  assert.equal((await authModuleService.authenticate("emailpass", login("user@example.com", "supersecret"))).success, false);
  assert.equal((await authModuleService.authenticate("emailpass", login("user@example.com", "newsecret1"))).success, true);
  const viaEntity = await authModuleService.updateProvider("emailpass", { entity_id: "user@example.com", password: "third-secret" });
  assert.equal(viaEntity.success, true);
});

test("misuse throws an EdgeAuthError synchronously, with a stable code", () => {
  const cases = [
    [() => new AuthModuleService(), "INVALID_STORE"],
    [() => new AuthModuleService({ store: { get() {} } }), "INVALID_STORE"],
    [() => new AuthModuleService({ store: new MemoryStore(), pepper: "x" }), "UNKNOWN_OPTION"],
    [() => new AuthModuleService({ store: new MemoryStore(), providers: [{ id: "facebook" }] }), "UNKNOWN_PROVIDER"],
    [() => new AuthModuleService({ store: new MemoryStore(), providers: [{ id: "github" }] }), "INVALID_ARGUMENT"],
    [() => new AuthModuleService({ store: new MemoryStore(), providers: [{ id: "google", options: { clientId: "i", secret: "s" } }] }), "UNKNOWN_OPTION"],
  ];
  for (const [misuse, code] of cases) {
    assert.throws(misuse, (e) => e instanceof EdgeAuthError && e instanceof Error && e.name === "EdgeAuthError" && e.code === code);
  }
});

test("the four flow methods never throw: any input resolves { success: false, error }", async () => {
  const service = newService();
  const oddities = [null, undefined, 0, "", "body", true, [], { body: "email=a" }, { bdy: {} }];
  for (const method of ["register", "authenticate", "validateCallback", "updateProvider"]) {
    for (const provider of [null, undefined, 42, "emailpass", "nope"]) {
      for (const input of oddities) {
        let answer;
        assert.doesNotThrow(() => {
          answer = service[method](provider, input);
        }, `${method}(${provider}, ${JSON.stringify(input)})`);
        const settled = await answer;
        assert.equal(settled.success, false, `${method}(${provider}, ${JSON.stringify(input)})`);
        assert.equal(typeof settled.error, "string");
        assert.deepEqual(Object.keys(settled).sort(), ["error", "success"]);
      }
    }
  }
  // Medusa's own messages where the provider answers: the unknown provider, emailpass's checks.
  assert.deepEqual(await service.authenticate("nope", null), { success: false, error: "\nUnable to retrieve the auth provider with id: nope\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file." });
  assert.deepEqual(await service.register("emailpass", undefined), { success: false, error: "Password should be a string" });
});

test("a configured google without clientId names Medusa's message", () => {
  assert.throws(
    () => new AuthModuleService({ store: new MemoryStore(), providers: [{ id: "google", options: { clientSecret: "s", callbackUrl: "https://shop.example/cb" } }] }),
    { name: "EdgeAuthError", code: "INVALID_ARGUMENT", message: /Google clientId is required/ },
  );
});

// The repository's tests/ directory (the real OpenID Provider and the scripted browser), passed in by
// ../package.test.mjs: this project is a copy in a temporary directory.
const REPO_TESTS = process.env.EDGE_AUTH_REPO_TESTS;

test("third-party sign-in against a real OpenID Provider: generic OIDC and google", async (t) => {
  assert.ok(REPO_TESTS, "set EDGE_AUTH_REPO_TESTS to the repository's tests/ directory (../package.test.mjs does)");
  const fixture = (path) => import(pathToFileURL(join(REPO_TESTS, path)).href);
  const { startOp, ACCOUNT } = await fixture("fixtures/oauth/op.mjs");
  const { Browser } = await fixture("worker/oauth-browser.mjs");
  const callbackUrl = (id) => `https://shop.example/auth/customer/${id}/callback`;
  const op = await startOp({ redirectUris: ["corp", "google"].map(callbackUrl) });
  t.after(() => op.close());
  const authModuleService = new AuthModuleService({
    store: new MemoryStore(),
    providers: [
      { id: "emailpass" },
      // Endpoints discovered from the issuer; client_secret_basic.
      { id: "corp", type: "oidc", options: { issuer: op.issuer, clientId: "edge-oidc", clientSecret: "edge-oidc-secret", callbackUrl: callbackUrl("corp") } },
      // Google's flow, pointed at the local provider by the endpoint overrides; client_secret_post.
      {
        id: "google",
        options: {
          clientId: "edge-google",
          clientSecret: "edge-google-secret",
          callbackUrl: callbackUrl("google"),
          authorizationUrl: `${op.issuer}/auth`,
          tokenUrl: `${op.issuer}/token`,
          jwksUrl: `${op.issuer}/jwks`,
          issuer: op.issuer,
        },
      },
    ],
  });

  for (const id of ["corp", "google"]) {
    const started = await authModuleService.authenticate(id, { body: {} });
    assert.equal(started.success, true, JSON.stringify(started));
    assert.deepEqual(Object.keys(started).sort(), ["location", "success"]);
    assert.ok(started.location.startsWith(`${op.issuer}/auth?`), started.location);

    // The user signs in and consents at the provider, which sends the browser back to callbackUrl.
    const browser = new Browser(null, { isFrontend: (url) => url.startsWith(callbackUrl(id)) });
    const { url } = await browser.navigate(started.location, { login: `user-${id}` });
    assert.ok(url.startsWith(`${callbackUrl(id)}?`), url);
    const query = Object.fromEntries(new URL(url).searchParams);
    assert.ok(query.code && query.state, url);

    const { success, authIdentity, error } = await authModuleService.validateCallback(id, { query });
    assert.equal(success, true, error);
    const [pi] = authIdentity.provider_identities;
    assert.equal(pi.provider, id);
    assert.equal(pi.entity_id, `user-${id}`, "the provider identity is the id_token's sub");
    assert.equal(pi.user_metadata.email, ACCOUNT.email);

    const replayed = await authModuleService.validateCallback(id, { query });
    assert.deepEqual(replayed, { success: false, error: "No state provided, or session expired" });

    // A second sign-in finds the same identity.
    const again = await authModuleService.authenticate(id, { body: {} });
    const second = await browser.navigate(again.location, { login: `user-${id}` });
    const relogin = await authModuleService.validateCallback(id, { query: Object.fromEntries(new URL(second.url).searchParams) });
    assert.equal(relogin.authIdentity?.id, authIdentity.id, relogin.error);
  }
  console.log(`edge-auth: third-party sign-in (corp by discovery, google by endpoint overrides) against oidc-provider at ${op.issuer} in Node ${process.version}`);
});

test("identity CRUD rejects with coded errors", async () => {
  const authModuleService = newService();
  const identity = await authModuleService.createAuthIdentities({ app_metadata: { customer_id: "cus_1" } });
  const [listed] = await authModuleService.listAuthIdentities({ app_metadata: { customer_id: "cus_1" } });
  assert.equal(listed.id, identity.id);
  await assert.rejects(authModuleService.retrieveAuthIdentity("authid_missing"), {
    name: "EdgeAuthError",
    code: "NOT_FOUND",
    message: "AuthIdentity with id: authid_missing was not found",
  });
  await authModuleService.deleteAuthIdentities([identity.id]);
  assert.deepEqual(await authModuleService.listAuthIdentities(), []);
});

test("require() gives the same module (Node's require of ES modules)", () => {
  const required = createRequire(import.meta.url)("edge-auth");
  assert.equal(required.AuthModuleService, AuthModuleService);
  assert.equal(required.EdgeAuthError, EdgeAuthError);
});

test("one emailpass register at 600,000 PBKDF2 iterations (timed, cold and warm)", async () => {
  const authModuleService = new AuthModuleService({
    store: new MemoryStore(),
    providers: [{ id: "emailpass", options: { iterations: 600000 } }],
  });
  const times = [];
  for (const email of ["first@example.com", "second@example.com"]) {
    const started = performance.now();
    const { success } = await authModuleService.register("emailpass", login(email, "supersecret"));
    times.push(Math.round(performance.now() - started));
    assert.equal(success, true);
  }
  console.log(`edge-auth: one emailpass register at 600,000 PBKDF2 iterations took ${times[0]} ms (first), ${times[1]} ms (second) in Node ${process.version}`);
});

// ---- Account methods -----------------------------------------------------------------------------------

const JWT_SECRET = "0123456789abcdef0123456789abcdef";
const accountService = (options = {}) =>
  new AuthModuleService({
    store: new MemoryStore(),
    providers: [{ id: "emailpass", options: { iterations: 1000 } }],
    jwtSecret: JWT_SECRET,
    ...options,
  });

async function registered(auth, email, password) {
  const { success, authIdentity, error } = await auth.register("emailpass", login(email, password));
  assert.equal(success, true, error);
  return authIdentity;
}

const signsIn = async (auth, email, password) => (await auth.authenticate("emailpass", login(email, password))).success;
const coded = (code, extra = {}) => (e) => {
  assert.ok(e instanceof EdgeAuthError, String(e));
  assert.equal(e.code, code, e.message);
  for (const [k, v] of Object.entries(extra)) assert.equal(e[k], v, k);
  return true;
};

test("account: a token, its refresh once an actor is linked, and change password voiding it", async () => {
  const auth = accountService();
  const identity = await registered(auth, "node-account@example.com", "old password");
  const token = await auth.issueToken(identity, "customer");
  const claims = await auth.verifyToken(token);
  assert.deepEqual(
    { ...claims, iat: 0, exp: claims.exp - claims.iat },
    {
      actor_id: "",
      actor_type: "customer",
      auth_identity_id: identity.id,
      mfa_enabled: false,
      mfa_challenge_completed_at: null,
      app_metadata: {},
      user_metadata: {},
      iat: 0,
      exp: 86400,
    },
  );

  await auth.updateAuthIdentities({ id: identity.id, app_metadata: { customer_id: "cus_node" } });
  const refreshed = await auth.refreshToken(token);
  assert.equal((await auth.verifyToken(refreshed, "customer")).actor_id, "cus_node");
  await assert.rejects(auth.verifyToken(refreshed, "user"), coded("UNAUTHORIZED"));

  await assert.rejects(
    auth.changePassword(token, "customer", "emailpass", { currentPassword: "wrong password", password: "new password" }),
    coded("WRONG_CURRENT_PASSWORD"),
  );
  const fresh = await auth.changePassword(token, "customer", "emailpass", { currentPassword: "old password", password: "new password" });
  for (const old of [token, refreshed]) await assert.rejects(auth.refreshToken(old), coded("UNAUTHORIZED"));
  assert.equal((await auth.verifyToken(fresh)).auth_identity_id, identity.id);
  assert.equal(await signsIn(auth, "node-account@example.com", "old password"), false);
  assert.equal(await signsIn(auth, "node-account@example.com", "new password"), true);
});

test("account: reset tokens are single use and die with a later password change", async () => {
  const auth = accountService();
  const email = "node-reset@example.com";
  const identity = await registered(auth, email, "old password");
  assert.equal(await auth.createPasswordResetToken("customer", "emailpass", "nobody@example.com"), null);

  const early = await auth.createPasswordResetToken("customer", "emailpass", "Node-Reset@Example.com");
  assert.deepEqual(Object.keys(early).sort(), ["entityId", "expiresAt", "token"]);
  assert.equal(early.entityId, email);
  assert.equal(early.expiresAt - Math.floor(Date.now() / 1000) <= 900, true);
  const token = await auth.issueToken(identity.id, "customer");
  await auth.changePassword(token, "customer", "emailpass", { currentPassword: "old password", password: "changed password" });
  await assert.rejects(
    auth.consumePasswordResetToken(early.token, "customer", "emailpass", { password: "reset password" }),
    coded("INVALID_RESET_TOKEN"),
  );

  // A newer token voids the earlier ones (Medusa 2.16+).
  const { token: voided } = await auth.createPasswordResetToken("customer", "emailpass", email);
  const { token: reset } = await auth.createPasswordResetToken("customer", "emailpass", email);
  await assert.rejects(
    auth.consumePasswordResetToken(voided, "customer", "emailpass", { password: "reset password" }),
    coded("INVALID_RESET_TOKEN"),
  );
  await assert.rejects(auth.consumePasswordResetToken(reset, "customer", "emailpass", { password: "short" }), coded("INVALID_DATA"));
  assert.equal(await auth.consumePasswordResetToken(reset, "customer", "emailpass", { password: "reset password" }), undefined);
  await assert.rejects(
    auth.consumePasswordResetToken(reset, "customer", "emailpass", { password: "second reset" }),
    coded("INVALID_RESET_TOKEN"),
  );
  assert.equal(await signsIn(auth, email, "reset password"), true);
  assert.equal(await signsIn(auth, email, "changed password"), false);
});

test("account: Medusa 2.16+'s createPasswordResetToken / consumePasswordResetToken (object forms)", async () => {
  const auth = accountService();
  const email = "node-jti@example.com";
  const identity = await registered(auth, email, "old password");
  const older = await auth.createPasswordResetToken({ provider: "emailpass", entity_id: email });
  assert.deepEqual(Object.keys(older).sort(), ["expires_at", "jti"]);
  assert.ok(older.expires_at instanceof Date);
  const lifetime = older.expires_at.getTime() - Date.now();
  assert.ok(lifetime > 890_000 && lifetime <= 900_000, `${lifetime}`);
  const { jti } = await auth.createPasswordResetToken({ provider: "emailpass", entity_id: email, ttl_seconds: 120 });
  const consume = (j) => auth.consumePasswordResetToken({ jti: j, provider: "emailpass", entity_id: email });
  await assert.rejects(consume(older.jti), { code: "INVALID_RESET_TOKEN", message: "Invalid token" }, "voided by the newer one");
  assert.deepEqual(await consume(jti), {
    auth_identity_id: identity.id,
    provider_identity_id: identity.provider_identities[0].id,
    entity_id: email,
  });
  await assert.rejects(consume(jti), { code: "INVALID_RESET_TOKEN", message: "Invalid token" }, "single use");
  await assert.rejects(auth.createPasswordResetToken({ provider: "emailpass", entity_id: "nobody@example.com" }), {
    code: "INVALID_DATA",
    message: "Provider identity with entity_id nobody@example.com and provider emailpass not found",
  });
  await assert.rejects(auth.createPasswordResetToken({ provider: "emailpass", entity_id: email, ttl_seconds: 0 }), {
    code: "INVALID_DATA",
    message: "Password reset token TTL must be a positive integer",
  });
});

test("account: requestPasswordReset POSTs a signed token to the webhook, which resets once", async (t) => {
  const secret = "node-webhook-secret-0123456789abcdef";
  const deliveries = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const auth = accountService({
    resetPasswordWebhookUrl: `http://127.0.0.1:${server.address().port}/hooks/edge-auth`,
    resetPasswordWebhookSecret: secret,
  });
  await registered(auth, "node-webhook@example.com", "old password");

  assert.equal(await auth.requestPasswordReset("customer", "emailpass", "nobody@example.com"), undefined);
  assert.equal(deliveries.length, 0, "no identity, no delivery");
  await auth.requestPasswordReset("customer", "emailpass", "Node-Webhook@example.com", { storefront: "node" });
  assert.equal(deliveries.length, 1);
  const [{ headers, raw }] = deliveries;
  // Checked with node:crypto, independently of the Rust code that signed it.
  const { t: time, v1 } = Object.fromEntries(headers["x-edge-auth-signature"].split(",").map((kv) => kv.split("=", 2)));
  const expected = createHmac("sha256", secret).update(`${time}.`).update(raw).digest();
  assert.ok(timingSafeEqual(Buffer.from(v1, "hex"), expected), "signature");
  assert.equal(headers["x-edge-auth-event"], "auth.password_reset");
  const { event, data } = JSON.parse(raw.toString("utf8"));
  assert.equal(event, "auth.password_reset");
  assert.deepEqual({ ...data, token: typeof data.token }, {
    entity_id: "node-webhook@example.com",
    actor_type: "customer",
    provider: "emailpass",
    token: "string",
    metadata: { storefront: "node" },
  });
  await auth.consumePasswordResetToken(data.token, "customer", "emailpass", { password: "from the mail" });
  await assert.rejects(auth.consumePasswordResetToken(data.token, "customer", "emailpass", { password: "again please" }), coded("INVALID_RESET_TOKEN"));
  assert.equal(await signsIn(auth, "node-webhook@example.com", "from the mail"), true);
});

test("account: sessions are made, read and ended, and a password change ends them", async () => {
  const auth = accountService({ sessionTtl: "1h" });
  const identity = await registered(auth, "node-session@example.com", "old password");
  // Medusa's allowUnregistered: a token without an actor opens a session too (the js-sdk's sign-up).
  const unregistered = await auth.createSession(await auth.issueToken(identity, "customer"));
  assert.equal(unregistered.authContext.actor_id, "");
  assert.equal(unregistered.authContext.auth_identity_id, identity.id);
  await auth.updateAuthIdentities({ id: identity.id, app_metadata: { customer_id: "cus_s" } });
  const token = await auth.issueToken(identity.id, "customer");

  const session = await auth.createSession(token);
  assert.equal(session.ttl, 3600);
  assert.equal(session.cookie, `__Host-connect.sid=${session.id}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict`);
  assert.deepEqual(session.authContext, {
    actor_id: "cus_s",
    actor_type: "customer",
    auth_identity_id: identity.id,
    mfa_enabled: false,
    mfa_challenge_completed_at: null,
    app_metadata: { customer_id: "cus_s" },
    user_metadata: {},
  });
  assert.deepEqual((await auth.retrieveSession(session.id)).authContext, session.authContext);
  assert.equal(await auth.deleteSession(session.id), true);
  assert.equal(await auth.retrieveSession(session.id), null);
  assert.equal(await auth.deleteSession(session.id), false);

  const other = await auth.createSession(token);
  await auth.changePassword(token, "customer", "emailpass", { currentPassword: "old password", password: "new password" });
  assert.equal(await auth.retrieveSession(other.id), null);
});

test("account: rate limits answer TOO_MANY_REQUESTS with retryAfter; no jwtSecret, no account methods", async () => {
  const auth = accountService({ rateLimits: { "reset-password": { identifier: { limit: 2, window: "15m" } } } });
  const attempt = { provider: "emailpass", client: null, identifier: "Guess@Example.com" };
  await auth.countAttempt("reset-password", attempt);
  await auth.countAttempt("reset-password", { ...attempt, identifier: "guess@example.com" });
  await assert.rejects(auth.countAttempt("reset-password", attempt), (e) => {
    coded("TOO_MANY_REQUESTS")(e);
    assert.ok(e.retryAfter >= 1 && e.retryAfter <= 900, String(e.retryAfter));
    return true;
  });

  const plain = newService();
  assert.throws(() => plain.issueToken("authid_x", "customer"), (e) => coded("INVALID_ARGUMENT")(e) && /jwtSecret/.test(e.message));
  assert.throws(() => accountService({ jwtSecret: "too short" }), (e) => coded("INVALID_ARGUMENT")(e) && /options\.jwtSecret/.test(e.message));
  assert.throws(() => accountService({ rateLimits: { login: {} } }), (e) => coded("INVALID_ARGUMENT")(e) && /options\.rateLimits/.test(e.message));
});

test("MFA with Medusa 2.21's method names: enrol, challenge, recovery codes, single use", async () => {
  const totp = (secret, unixSeconds = Date.now() / 1000) => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits = 0;
    let value = 0;
    const key = [];
    for (const char of secret) {
      value = (value << 5) | alphabet.indexOf(char);
      bits += 5;
      if (bits >= 8) {
        key.push((value >>> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
    const hash = createHmac("sha1", Buffer.from(key)).update(counter).digest();
    const code = (hash.readUInt32BE(hash[19] & 0xf) & 0x7fffffff) % 1_000_000;
    return String(code).padStart(6, "0");
  };
  const store = new MemoryStore();
  const service = new AuthModuleService({
    store,
    providers: [{ id: "emailpass", options: { iterations: 1000 } }],
    jwtSecret: "npm-mfa-test-secret-0123456789abcdef",
    mfaEncryptionKey: "npm-mfa-test-key-0123456789abcdef012",
  });
  const { authIdentity } = await service.register("emailpass", login("mfa@example.com", "supersecret"));
  const me = authIdentity.id;

  const started = await service.startAuthMfa({ auth_identity_id: me, provider: "totp", label: "mfa@example.com" });
  assert.equal(started.mfa.status, "pending");
  assert.match(started.otpauth_url, /^otpauth:\/\/totp\/Medusa:mfa%40example\.com\?secret=[A-Z2-7]{32}&/);
  const enabled = await service.verifyAuthMfa({ id: started.mfa.id, auth_identity_id: me, code: totp(started.secret) });
  assert.equal(enabled.status, "enabled");
  assert.deepEqual((await service.listAuthMfa({ auth_identity_id: me })).map((f) => f.status), ["enabled"]);

  const { codes } = await service.generateAuthMfaRecoveryCodes({ auth_identity_id: me, count: 3 });
  assert.equal(codes.length, 3);
  const challenge = await service.createAuthMfaChallenge({ auth_identity_id: me, auth_provider: "emailpass" });
  assert.deepEqual(challenge.methods, ["totp", "recovery_code"]);
  const next = totp(started.secret, Date.now() / 1000 + 30);
  const completed = await service.verifyAuthMfaChallenge({ id: challenge.id, method: "totp", code: next, auth_identity_id: me });
  assert.match(completed.completed_at, /Z$/);
  // The same code cannot pass a second challenge; a recovery code can, once.
  const second = await service.createAuthMfaChallenge({ auth_identity_id: me });
  await assert.rejects(
    service.verifyAuthMfaChallenge({ id: second.id, method: "totp", code: next }),
    (e) => e instanceof EdgeAuthError && e.code === "NOT_ALLOWED" && e.message === "Invalid MFA challenge code",
  );
  await service.useAuthMfaRecoveryCode({ auth_identity_id: me, code: codes[0] });
  await assert.rejects(
    service.useAuthMfaRecoveryCode({ auth_identity_id: me, code: codes[0] }),
    (e) => e.code === "NOT_ALLOWED" && e.message === "Recovery code is invalid or already used",
  );
  // Nothing secret in the store.
  const dump = JSON.stringify(await Promise.all((await store.list()).keys.map(async ({ name }) => [name, await store.get(name)])));
  assert.ok(!dump.includes(started.secret));
  for (const code of codes) assert.ok(!dump.includes(code));

  const disabled = await service.disableAuthMfa({ id: started.mfa.id });
  assert.equal(disabled.status, "disabled");
  await assert.rejects(
    service.verifyAuthMfa({ id: "authmfa_nope", auth_identity_id: me, code: "123456" }),
    (e) => e.code === "NOT_FOUND" && e.message === 'MFA factor with id "authmfa_nope" was not found',
  );
  assert.throws(() => service.startAuthMfa({ provider: "totp" }), (e) => e.code === "INVALID_ARGUMENT");
});

// ---- Asymmetric tokens ----------------------------------------------------------------------------------

/** Verifies a compact JWS with node:crypto under the JWK of the set that its `kid` names. */
function verifiedBy(set, token) {
  const [header, payload, signature] = token.split(".");
  const { alg, kid } = JSON.parse(Buffer.from(header, "base64url"));
  const jwk = set.keys.find((k) => k.kid === kid);
  assert.ok(jwk, `no key ${kid}`);
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const options = alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key;
  const ok = verifySignature(alg === "ES256" ? "sha256" : null, Buffer.from(`${header}.${payload}`), options, Buffer.from(signature, "base64url"));
  return ok && JSON.parse(Buffer.from(payload, "base64url"));
}

for (const [alg, make] of [
  ["ES256", () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" })],
  ["EdDSA", () => generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })],
]) {
  test(`account: jwtAlgorithm ${alg} signs with jwtPrivateKey, jwks() publishes the key, node:crypto verifies`, async () => {
    const auth = accountService({ jwtAlgorithm: alg, jwtPrivateKey: make(), jwtKeyId: `k-${alg}` });
    const identity = await registered(auth, `jwks-${alg}@example.com`, "supersecret");
    const token = await auth.issueToken(identity, "customer", "emailpass");
    assert.deepEqual(JSON.parse(Buffer.from(token.split(".")[0], "base64url")), { alg, typ: "JWT", kid: `k-${alg}` });
    const set = await auth.jwks();
    assert.equal(set.keys.length, 1);
    assert.equal(set.keys[0].kid, `k-${alg}`);
    assert.equal(set.keys[0].use, "sig");
    assert.equal("d" in set.keys[0], false);
    const claims = verifiedBy(set, token);
    assert.equal(claims.auth_identity_id, identity.id);
    assert.equal((await auth.verifyToken(token)).auth_identity_id, identity.id);
    // An HS256 token under jwtSecret is refused in this mode.
    const hs = accountService();
    const hsToken = await hs.issueToken(identity, "customer");
    await assert.rejects(auth.verifyToken(hsToken), coded("UNAUTHORIZED"));
    await assert.rejects(hs.verifyToken(token), coded("UNAUTHORIZED"));
  });
}

test("account: jwks() is null with HS256; a key of the wrong curve throws naming jwtPrivateKey only", async () => {
  assert.equal(await accountService().jwks(), null);
  const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ type: "pkcs8", format: "pem" });
  assert.throws(
    () => accountService({ jwtAlgorithm: "ES256", jwtPrivateKey: p384 }),
    (e) => coded("INVALID_ARGUMENT")(e) && /^options\.jwtPrivateKey: is an EC key on another curve/.test(e.message) && !e.message.includes("PRIVATE KEY-----"),
  );
  assert.throws(() => accountService({ jwtAlgorithm: "RS256" }), (e) => coded("INVALID_ARGUMENT")(e) && /options\.jwtAlgorithm/.test(e.message));
  assert.throws(() => accountService({ jwtAlgorithm: "ES256" }), (e) => coded("INVALID_ARGUMENT")(e) && /options\.jwtPrivateKey: is not set/.test(e.message));
});
