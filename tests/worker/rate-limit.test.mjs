// Rate limits end to end in workerd, counted in the guard Durable Object: thresholds, Retry-After and the
// Medusa-style 429 body, the reset on a successful login, per-IP counting (CF-Connecting-IP), and exact
// counts under concurrency.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_TIMEOUT_MS, assertError, jsonBody, startWorker, tokenFrom } from "./harness.mjs";

const LOGIN = "/auth/customer/emailpass";
const REGISTER = "/auth/customer/emailpass/register";

async function assertLimited(response, retryAfter) {
  assert.equal(response.headers.get("retry-after"), String(retryAfter));
  await assertError(response, 429, "not_allowed", `Too many requests; try again in ${retryAfter} seconds`);
}

describe("rate limits (defaults)", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    // RATE_LIMITS unset: the defaults (the harness turns them off for the other suites).
    worker = await startWorker({ vars: { RATE_LIMITS: undefined } });
  });
  after(() => worker?.dispose());

  let ip = 0;
  // A fresh client address per call, so these tests see only the per-identifier counter.
  const from = () => ({ "cf-connecting-ip": `198.51.100.${++ip}` });
  const login = (email, password) => worker.post(LOGIN, { email, password }, from());

  test("the sixth sign-in attempt for one email in a minute is 429 with Retry-After", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "a@b.co", password: "correct horse" }, from()));
    for (let i = 0; i < 5; i++) {
      await assertError(await login("a@b.co", "wrong horse!"), 401, "unauthorized", "Invalid email or password");
    }
    await assertLimited(await login("a@b.co", "wrong horse!"), 60);
    // Blocked is blocked, whatever the password and however the email is written.
    await assertLimited(await login(" A@B.co", "correct horse"), 60);
    // Another email is unaffected.
    assert.equal((await login("b@b.co", "wrong horse!")).status, 401);
  });

  test("a successful sign-in resets the email's counter", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "ok@b.co", password: "correct horse" }, from()));
    for (let i = 0; i < 4; i++) assert.equal((await login("ok@b.co", "wrong horse!")).status, 401);
    await tokenFrom(await login("ok@b.co", "correct horse"));
    for (let i = 0; i < 5; i++) assert.equal((await login("ok@b.co", "wrong horse!")).status, 401);
    await assertLimited(await login("ok@b.co", "wrong horse!"), 60);
  });

  test("reset-password: three requests per email per quarter hour", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await worker.post("/auth/customer/emailpass/reset-password", { identifier: "r@b.co" }, from());
      assert.equal(response.status, 201);
      await response.arrayBuffer();
    }
    await assertLimited(await worker.post("/auth/customer/emailpass/reset-password", { identifier: "r@b.co" }, from()), 900);
  });

  test("concurrent attempts are counted exactly: 20 at once for one email, 5 get through", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 20 }, () => login("burst@b.co", "wrong horse!")),
    );
    const statuses = attempts.map((r) => r.status);
    await Promise.all(attempts.map((r) => r.arrayBuffer()));
    const counted = { 401: statuses.filter((s) => s === 401).length, 429: statuses.filter((s) => s === 429).length };
    console.log(`[concurrency] 20 concurrent wrong sign-ins, limit 5/min (Durable Object): ${JSON.stringify(counted)}`);
    assert.deepEqual(counted, { 401: 5, 429: 15 });
  });
});

describe("rate limits per client IP (configured)", { timeout: 2 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker({
      vars: {
        RATE_LIMITS: JSON.stringify({
          authenticate: { ip: { limit: 3, window: "1m" }, identifier: null },
          register: { ip: { limit: 2, window: 30 } },
        }),
      },
    });
  });
  after(() => worker?.dispose());

  test("one client IP is limited across emails; another IP is not", async () => {
    const from = (ip) => ({ "cf-connecting-ip": ip });
    for (let i = 0; i < 3; i++) {
      const response = await worker.post(LOGIN, { email: `u${i}@b.co`, password: "wrong horse!" }, from("203.0.113.7"));
      assert.equal(response.status, 401);
      await response.arrayBuffer();
    }
    await assertLimited(await worker.post(LOGIN, { email: "u9@b.co", password: "wrong horse!" }, from("203.0.113.7")), 60);
    const other = await worker.post(LOGIN, { email: "u9@b.co", password: "wrong horse!" }, from("203.0.113.8"));
    assert.equal(other.status, 401);
    await other.arrayBuffer();

    for (let i = 0; i < 2; i++) {
      await tokenFrom(await worker.post(REGISTER, { email: `n${i}@b.co`, password: "correct horse" }, from("203.0.113.9")));
    }
    await assertLimited(await worker.post(REGISTER, { email: "n2@b.co", password: "correct horse" }, from("203.0.113.9")), 30);
  });

  test("an unconfigured identifier counter stays off", async () => {
    for (let i = 0; i < 8; i++) {
      const response = await worker.post(LOGIN, { email: "same@b.co", password: "wrong horse!" }, { "cf-connecting-ip": `192.0.2.${i}` });
      assert.equal(response.status, 401, `attempt ${i + 1}`);
      await jsonBody(response, 401);
    }
  });
});

describe("lockout economics (issue 12: findings 3 and 5)", { timeout: 3 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker({
      vars: { RATE_LIMITS: JSON.stringify({ authenticate: { ip: { limit: 3, window: "1m" } } }) },
    });
  });
  after(() => worker?.dispose());

  let ip = 0;
  const fresh = () => ({ "cf-connecting-ip": `198.18.0.${++ip}` });
  const statusOf = async (response) => {
    await response.arrayBuffer();
    return response.status;
  };

  test("a sign-in refused per IP does not count against the email", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "ip@b.co", password: "correct horse" }, fresh()));
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      const response = await worker.post(LOGIN, { email: "ip@b.co", password: "wrong horse!" }, { "cf-connecting-ip": "203.0.113.70" });
      statuses.push(await statusOf(response));
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    // Three guesses counted, not ten: the owner makes a typo elsewhere and still gets in.
    assert.equal(await statusOf(await worker.post(LOGIN, { email: "ip@b.co", password: "wrong horse!" }, fresh())), 401);
    await tokenFrom(await worker.post(LOGIN, { email: "ip@b.co", password: "correct horse" }, fresh()));
  });

  test("re-registering an actor-less identity is counted as a sign-in, with its backoff", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "retry@b.co", password: "correct horse" }, fresh()));
    for (let i = 0; i < 5; i++) {
      await assertError(
        await worker.post(REGISTER, { email: "retry@b.co", password: "wrong horse!" }, fresh()),
        401,
        "unauthorized",
        "Identity with email already exists",
      );
    }
    await assertLimited(await worker.post(REGISTER, { email: "retry@b.co", password: "correct horse" }, fresh()), 60);
    await assertLimited(await worker.post(LOGIN, { email: "retry@b.co", password: "correct horse" }, fresh()), 60);
  });

  test("a known-device cookie lets its browser in while the email is blocked", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "dev@b.co", password: "correct horse" }, fresh()));
    const signedIn = await worker.post(LOGIN, { email: "dev@b.co", password: "correct horse" }, fresh());
    const setCookie = signedIn.headers.get("set-cookie");
    await tokenFrom(signedIn);
    assert.match(
      setCookie,
      /^__Host-edge-auth-device=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    const cookie = setCookie.split(";")[0];
    for (let i = 0; i < 5; i++) await statusOf(await worker.post(LOGIN, { email: "dev@b.co", password: "wrong horse!" }, fresh()));
    await assertLimited(await worker.post(LOGIN, { email: "dev@b.co", password: "correct horse" }, fresh()), 60);
    await tokenFrom(await worker.post(LOGIN, { email: "dev@b.co", password: "correct horse" }, { ...fresh(), cookie }));
    // Forged: the email's block applies.
    const forged = cookie.slice(0, -4) + (cookie.endsWith("AAAA") ? "BBBB" : "AAAA");
    await assertLimited(await worker.post(LOGIN, { email: "dev@b.co", password: "correct horse" }, { ...fresh(), cookie: forged }), 60);
  });
});
