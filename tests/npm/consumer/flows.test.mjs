// The seed page's flows against the installed `edge-auth` package, imported by its name as users do.
// Run inside a fresh project with the packed tarball installed (see ../package.test.mjs), on each Node.
import assert from "node:assert/strict";
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
    assert.deepEqual(response, { success: false, error: "Could not find a auth provider with id: google" });
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
    [() => newService().register("emailpass", { body: "email=a" }), "INVALID_ARGUMENT"],
  ];
  for (const [misuse, code] of cases) {
    assert.throws(misuse, (e) => e instanceof EdgeAuthError && e instanceof Error && e.name === "EdgeAuthError" && e.code === code);
  }
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
