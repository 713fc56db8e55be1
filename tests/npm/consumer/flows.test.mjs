// The seed page's flows against the installed `edge-auth` package, imported by its name as users do.
// Run inside a fresh project with the packed tarball installed (see ../package.test.mjs), on each Node.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
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
    [() => new AuthModuleService({ store: new MemoryStore(), providers: [{ id: "github" }] }), "UNKNOWN_PROVIDER"],
    [() => newService().register("emailpass", { body: "email=a" }), "INVALID_ARGUMENT"],
  ];
  for (const [misuse, code] of cases) {
    assert.throws(misuse, (e) => e instanceof EdgeAuthError && e instanceof Error && e.name === "EdgeAuthError" && e.code === code);
  }
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
