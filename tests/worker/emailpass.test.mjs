// emailpass over HTTP: register, login, duplicate registration and the password checks, with the exact
// status codes, bodies and JWT claims of Medusa's auth routes (MEDUSA-REFERENCE.md §3 and §5).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AUTH_IDENTITY_ID,
  TEST_JWT_SECRET,
  TEST_TIMEOUT_MS,
  assertError,
  nowSeconds,
  startWorker,
  tokenFrom,
  verifyHs256,
  withWorker,
} from "./harness.mjs";

const REGISTER = "/auth/customer/emailpass/register";
const LOGIN = "/auth/customer/emailpass";
const PASSWORD = "correct horse";
const ONE_DAY = 86_400;

describe("emailpass register and login", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker();
  });
  after(() => worker?.dispose());

  let registered; // the decoded token of the first registration

  test("register answers 200 {token}: an HS256 JWT with exactly Medusa 2.21's claims, in its order", async () => {
    const before = nowSeconds();
    registered = await tokenFrom(await worker.post(REGISTER, { email: "A@B.co", password: PASSWORD }));

    assert.ok(verifyHs256(registered.raw, TEST_JWT_SECRET), "signature does not verify under JWT_SECRET");
    assert.deepEqual(registered.header, { alg: "HS256", typ: "JWT" });
    const claims = registered.payload;
    // generateJwtTokenForAuthIdentity's object, then jsonwebtoken's iat and exp.
    assert.deepEqual(Object.keys(claims), [
      "actor_id",
      "actor_type",
      "auth_identity_id",
      "auth_provider",
      "mfa_enabled",
      "mfa_challenge_completed_at",
      "app_metadata",
      "user_metadata",
      "iat",
      "exp",
    ]);
    assert.equal(claims.actor_id, "");
    assert.equal(claims.actor_type, "customer");
    assert.match(claims.auth_identity_id, AUTH_IDENTITY_ID);
    assert.equal(claims.auth_provider, "emailpass");
    assert.equal(claims.mfa_enabled, false);
    assert.equal(claims.mfa_challenge_completed_at, null);
    assert.deepEqual(claims.app_metadata, {});
    assert.deepEqual(claims.user_metadata, {});
    assert.ok(Number.isInteger(claims.iat) && Number.isInteger(claims.exp), "iat/exp must be integer seconds");
    assert.ok(claims.iat >= before - 5 && claims.iat <= nowSeconds() + 5, `iat ${claims.iat} is not now`);
    assert.equal(claims.exp - claims.iat, ONE_DAY, "JWT_EXPIRES_IN defaults to 1d");
  });

  test("login finds the identity whatever the case of the email and surrounding spaces", async () => {
    const login = await tokenFrom(await worker.post(LOGIN, { email: " a@b.co ", password: PASSWORD }));
    assert.ok(verifyHs256(login.raw, TEST_JWT_SECRET));
    assert.equal(login.payload.auth_identity_id, registered.payload.auth_identity_id);
    assert.equal(login.payload.actor_type, "customer");
    assert.equal(login.payload.actor_id, "");
    assert.deepEqual(login.payload.app_metadata, {});
    assert.equal(login.payload.exp - login.payload.iat, ONE_DAY);
  });

  test("login with a wrong password is 401 Invalid email or password", async () => {
    const response = await worker.post(LOGIN, { email: "a@b.co", password: "wrong horse" });
    await assertError(response, 401, "unauthorized", "Invalid email or password");
  });

  test("login with an unknown email gets the identical 401", async () => {
    const response = await worker.post(LOGIN, { email: "nobody@b.co", password: PASSWORD });
    await assertError(response, 401, "unauthorized", "Invalid email or password");
  });

  test("register again with another password is refused", async () => {
    const response = await worker.post(REGISTER, { email: "a@b.co", password: "another password" });
    await assertError(response, 401, "unauthorized", "Identity with email already exists");
  });

  test("register again with the same password (no actor yet) is an idempotent retry", async () => {
    const again = await tokenFrom(await worker.post(REGISTER, { email: "a@B.CO", password: PASSWORD }));
    assert.ok(verifyHs256(again.raw, TEST_JWT_SECRET));
    assert.equal(again.payload.auth_identity_id, registered.payload.auth_identity_id);
  });

  test("a second email gets its own identity", async () => {
    const other = await tokenFrom(await worker.post(REGISTER, { email: "c@d.co", password: PASSWORD }));
    assert.match(other.payload.auth_identity_id, AUTH_IDENTITY_ID);
    assert.notEqual(other.payload.auth_identity_id, registered.payload.auth_identity_id);
  });

  test("the user actor type works the same way, separately from customer", async () => {
    const user = await tokenFrom(
      await worker.post("/auth/user/emailpass/register", { email: "admin@b.co", password: PASSWORD }),
    );
    assert.equal(user.payload.actor_type, "user");
    const login = await tokenFrom(
      await worker.post("/auth/user/emailpass", { email: "admin@b.co", password: PASSWORD }),
    );
    assert.equal(login.payload.actor_type, "user");
    assert.equal(login.payload.auth_identity_id, user.payload.auth_identity_id);
  });
});

describe("emailpass input checks, in Medusa's order", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker();
  });
  after(() => worker?.dispose());

  const unauthorized = (message) => ({ status: 401, type: "unauthorized", message });

  // [what, route, body, expected]
  const cases = [
    ["missing password", REGISTER, { email: "a@b.co" }, unauthorized("Password should be a string")],
    ["password a number", REGISTER, { email: "a@b.co", password: 12345678 }, unauthorized("Password should be a string")],
    ["password null", REGISTER, { email: "a@b.co", password: null }, unauthorized("Password should be a string")],
    ["empty object: the password is checked first", REGISTER, {}, unauthorized("Password should be a string")],
    ["missing email", REGISTER, { password: PASSWORD }, unauthorized("Email should be a string")],
    ["email a number", REGISTER, { email: 42, password: PASSWORD }, unauthorized("Email should be a string")],
    ["login: missing password", LOGIN, { email: "a@b.co" }, unauthorized("Password should be a string")],
    ["login: missing email", LOGIN, { password: PASSWORD }, unauthorized("Email should be a string")],
    ["login: email a number", LOGIN, { email: 42, password: PASSWORD }, unauthorized("Email should be a string")],
    ["password of 7 characters", REGISTER, { email: "a@b.co", password: "1234567" }, unauthorized("Password must be at least 8 characters")],
    ["password of 1025 bytes", REGISTER, { email: "a@b.co", password: "p".repeat(1025) }, unauthorized("Password must be at most 1024 bytes")],
    // 513 two-byte characters: 1026 bytes. The limit counts UTF-8 bytes, not characters.
    ["password of 513 'é' (1026 bytes)", REGISTER, { email: "a@b.co", password: "é".repeat(513) }, unauthorized("Password must be at most 1024 bytes")],
  ];

  for (const [what, route, body, expected] of cases) {
    test(`${what} → ${expected.status} ${expected.message}`, async () => {
      await assertError(await worker.post(route, body), expected.status, expected.type, expected.message);
    });
  }

  test("passwords of exactly 8 characters and exactly 1024 bytes are accepted", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "eight@b.co", password: "12345678" }));
    await tokenFrom(await worker.post(REGISTER, { email: "max@b.co", password: "p".repeat(1024) }));
    await tokenFrom(await worker.post(LOGIN, { email: "max@b.co", password: "p".repeat(1024) }));
  });

  test("refused registrations created nothing: login with those emails fails", async () => {
    const response = await worker.post(LOGIN, { email: "a@b.co", password: PASSWORD });
    await assertError(response, 401, "unauthorized", "Invalid email or password");
  });
});

test("JWT_EXPIRES_IN=2h gives tokens that live 7200 s", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({ vars: { JWT_EXPIRES_IN: "2h" } }, async (worker) => {
    const token = await tokenFrom(await worker.post(REGISTER, { email: "a@b.co", password: PASSWORD }));
    assert.equal(token.payload.exp - token.payload.iat, 7200);
    const login = await tokenFrom(await worker.post(LOGIN, { email: "a@b.co", password: PASSWORD }));
    assert.equal(login.payload.exp - login.payload.iat, 7200);
  });
});
