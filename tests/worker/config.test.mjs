// Configuration: a misconfigured Worker answers 500 with a message naming the variable to fix (the only
// 5xx the Worker may give); ENVIRONMENT=development alone may run without JWT_SECRET.

import assert from "node:assert/strict";
import { test } from "node:test";
import { TEST_JWT_SECRET, TEST_TIMEOUT_MS, jsonBody, signHs256, nowSeconds, tokenFrom, withWorker } from "./harness.mjs";

const CREDENTIALS = { email: "a@b.co", password: "correct horse" };

/** A request to each kind of auth route: register, login, refresh. */
function authRequests(worker) {
  const now = nowSeconds();
  const token = signHs256(
    {
      actor_id: "",
      actor_type: "customer",
      auth_identity_id: "authid_01JZ0000000000000000000000",
      app_metadata: {},
      iat: now,
      exp: now + 3600,
    },
    TEST_JWT_SECRET,
  );
  return [
    ["register", () => worker.post("/auth/customer/emailpass/register", CREDENTIALS)],
    ["login", () => worker.post("/auth/customer/emailpass", CREDENTIALS)],
    ["refresh", () => worker.fetch("/auth/token/refresh", { method: "POST", headers: { authorization: `Bearer ${token}` } })],
  ];
}

/** Asserts 500 naming `variable` on each of `routes` (the routes that need that variable). */
async function assertMisconfigured(vars, variable, routes = ["register", "login", "refresh"]) {
  await withWorker({ vars }, async (worker) => {
    for (const [route, send] of authRequests(worker).filter(([route]) => routes.includes(route))) {
      const body = await jsonBody(await send(), 500);
      assert.equal(typeof body.message, "string", `${route}: ${JSON.stringify(body)}`);
      assert.ok(body.message.includes(variable), `${route}: message does not name ${variable}: ${body.message}`);
    }
  });
}

for (const [what, vars] of [
  ["ENVIRONMENT unset", { ENVIRONMENT: undefined, JWT_SECRET: undefined }],
  ["ENVIRONMENT=production", { ENVIRONMENT: "production", JWT_SECRET: undefined }],
]) {
  test(`${what} and no JWT_SECRET: auth routes are 500 naming JWT_SECRET`, { timeout: TEST_TIMEOUT_MS }, async () => {
    await assertMisconfigured(vars, "JWT_SECRET");
  });
}

test("ENVIRONMENT=production with JWT_SECRET set works", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({ vars: { ENVIRONMENT: "production" } }, async (worker) => {
    await tokenFrom(await worker.post("/auth/customer/emailpass/register", CREDENTIALS));
  });
});

test("ENVIRONMENT=development without JWT_SECRET uses the built-in dev secret", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({ vars: { ENVIRONMENT: "development", JWT_SECRET: undefined } }, async (worker) => {
    const registered = await tokenFrom(await worker.post("/auth/customer/emailpass/register", CREDENTIALS));
    const refreshed = await tokenFrom(
      await worker.fetch("/auth/token/refresh", { method: "POST", headers: { authorization: `Bearer ${registered.raw}` } }),
    );
    assert.equal(refreshed.payload.auth_identity_id, registered.payload.auth_identity_id);
  });
});

for (const value of ["abc", "999", "10000001", "-5"]) {
  test(`PBKDF2_ITERATIONS="${value}": 500 naming PBKDF2_ITERATIONS`, { timeout: TEST_TIMEOUT_MS }, async () => {
    await assertMisconfigured({ PBKDF2_ITERATIONS: value }, "PBKDF2_ITERATIONS", ["register", "login"]);
  });
}

test('JWT_EXPIRES_IN="soon": 500 naming JWT_EXPIRES_IN', { timeout: TEST_TIMEOUT_MS }, async () => {
  await assertMisconfigured({ JWT_EXPIRES_IN: "soon" }, "JWT_EXPIRES_IN");
});

test("AUTH_METHODS_PER_ACTOR that is not JSON: 500 naming AUTH_METHODS_PER_ACTOR", { timeout: TEST_TIMEOUT_MS }, async () => {
  await assertMisconfigured({ AUTH_METHODS_PER_ACTOR: "customer=emailpass" }, "AUTH_METHODS_PER_ACTOR", ["register", "login"]);
});

test("a misconfigured value is never echoed: the answer names the variable only", { timeout: TEST_TIMEOUT_MS }, async () => {
  const vars = {
    RESET_PASSWORD_WEBHOOK_URL: "http://ops:s3cret-user@hooks.example/reset?token=s3cret-token",
    RESET_PASSWORD_WEBHOOK_SECRET: "whsec-0123456789abcdef0123456789ab",
  };
  await withWorker({ vars }, async (worker) => {
    for (const [route, send] of authRequests(worker)) {
      const response = await send();
      const text = await response.text();
      assert.equal(response.status, 500, `${route}: ${text}`);
      assert.deepEqual(JSON.parse(text), {
        type: "unexpected_state",
        message: "Invalid configuration: RESET_PASSWORD_WEBHOOK_URL; see the Worker's logs",
      });
      assert.ok(!text.includes("s3cret") && !text.includes("hooks.example"), `${route}: ${text}`);
    }
  });
});

test("AUTH_KV unbound, or bound to something that is not a KV namespace: 500 saying what to bind", { timeout: TEST_TIMEOUT_MS }, async () => {
  const cases = [
    [{}, "the KV namespace binding AUTH_KV is missing; add it under [[kv_namespaces]] in wrangler.toml"],
    [{ AUTH_KV: "edge-auth" }, "AUTH_KV is not a KV namespace; bind one under [[kv_namespaces]] in wrangler.toml"],
  ];
  for (const [vars, message] of cases) {
    await withWorker({ vars, kv: false }, async (worker) => {
      for (const [route, send] of authRequests(worker)) {
        assert.deepEqual(await jsonBody(await send(), 500), { type: "unexpected_state", message }, route);
      }
    });
  }
});
