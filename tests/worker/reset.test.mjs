// Password reset end to end in workerd: POST reset-password → a signed webhook delivery to a receiver on
// 127.0.0.1 → POST update with the token. Old password refused, new accepted, the token single use,
// expired tokens refused, older tokens revoked, and 201 for everyone.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  TEST_JWT_SECRET,
  TEST_TIMEOUT_MS,
  assertError,
  jsonBody,
  nowSeconds,
  signHs256,
  startWorker,
  tokenFrom,
  verifyHs256,
} from "./harness.mjs";
import { WEBHOOK_SECRET, startReceiver, verifySignature } from "./webhook-receiver.mjs";

const REGISTER = "/auth/customer/emailpass/register";
const LOGIN = "/auth/customer/emailpass";
const RESET = "/auth/customer/emailpass/reset-password";
const UPDATE = "/auth/customer/emailpass/update";

describe("password reset", { timeout: 6 * TEST_TIMEOUT_MS }, () => {
  let worker;
  let receiver;
  before(async () => {
    receiver = await startReceiver();
    worker = await startWorker({
      vars: { RESET_PASSWORD_WEBHOOK_URL: receiver.url, RESET_PASSWORD_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
  });
  after(async () => {
    await worker?.dispose();
    await receiver?.close();
  });

  const update = (token, password) =>
    worker.post(UPDATE, { password }, token === undefined ? {} : { authorization: `Bearer ${token}` });

  /** Asks for a reset of `email` and returns the delivery it caused. */
  async function requestReset(email) {
    const count = receiver.deliveries.length;
    const response = await worker.post(RESET, { identifier: email });
    assert.equal(response.status, 201);
    assert.equal(await response.text(), "");
    return receiver.waitFor(count + 1);
  }

  test("the full flow: reset, old password refused, new accepted, replay refused", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "jane@b.co", password: "correct horse" }));
    const delivery = await requestReset("Jane@B.co");

    assert.equal(delivery.method, "POST");
    assert.equal(delivery.path, "/hooks/edge-auth");
    assert.equal(delivery.headers["content-type"], "application/json");
    assert.equal(delivery.headers["x-edge-auth-event"], "auth.password_reset");
    assert.match(delivery.headers["x-edge-auth-delivery"], /^[0-9a-f]{32}$/);
    assert.ok(verifySignature(delivery.headers["x-edge-auth-signature"], delivery.raw), "signature verifies");
    assert.ok(!verifySignature(delivery.headers["x-edge-auth-signature"], delivery.raw, "another secret"));
    const tampered = Buffer.from(delivery.raw.toString().replace("jane", "john"));
    assert.ok(!verifySignature(delivery.headers["x-edge-auth-signature"], tampered), "body is covered");

    const { event, data } = delivery.json;
    assert.equal(event, "auth.password_reset");
    assert.deepEqual(Object.keys(data).sort(), ["actor_type", "entity_id", "metadata", "provider", "token"]);
    assert.deepEqual(data.metadata, {}, "no metadata in the request: {}");
    assert.equal(data.entity_id, "jane@b.co");
    assert.equal(data.actor_type, "customer");
    assert.equal(data.provider, "emailpass");
    assert.ok(verifyHs256(data.token, TEST_JWT_SECRET), "the reset token is signed with JWT_SECRET");
    const claims = JSON.parse(Buffer.from(data.token.split(".")[1], "base64url").toString());
    assert.equal(claims.purpose, "reset");
    assert.match(claims.jti, /^[0-9a-f]{32}$/);
    assert.equal(claims.exp - claims.iat, 900);

    assert.deepEqual(await jsonBody(await update(data.token, "new horse battery"), 200), { success: true });
    await assertError(
      await worker.post(LOGIN, { email: "jane@b.co", password: "correct horse" }),
      401,
      "unauthorized",
      "Invalid email or password",
    );
    await tokenFrom(await worker.post(LOGIN, { email: "jane@b.co", password: "new horse battery" }));

    await assertError(await update(data.token, "third horse battery"), 401, "unauthorized", "Invalid token");
    await tokenFrom(await worker.post(LOGIN, { email: "jane@b.co", password: "new horse battery" }));
  });

  test("a new request voids the earlier reset tokens; the request's metadata reaches the event", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "twice@b.co", password: "correct horse" }));
    const first = await requestReset("twice@b.co");
    const count = receiver.deliveries.length;
    const metadata = { storefront: "https://shop.example", locale: "fr" };
    assert.equal((await worker.post(RESET, { identifier: "twice@b.co", metadata })).status, 201);
    const second = await receiver.waitFor(count + 1);
    assert.deepEqual(second.json.data.metadata, metadata);

    await assertError(await update(first.json.data.token, "new horse battery"), 401, "unauthorized", "Invalid token");
    assert.deepEqual(await jsonBody(await update(second.json.data.token, "new horse battery"), 200), { success: true });
    await tokenFrom(await worker.post(LOGIN, { email: "twice@b.co", password: "new horse battery" }));

    await assertError(
      await worker.post(RESET, { identifier: "twice@b.co", metadata: "fr" }),
      400,
      "invalid_data",
      "Invalid request: Expected type: 'object' for field 'metadata', got: 'string'",
    );
  });

  test("an expired reset token is refused", async () => {
    const registered = await tokenFrom(await worker.post(REGISTER, { email: "exp@b.co", password: "correct horse" }));
    // The test knows JWT_SECRET: a reset token exactly as the Worker makes them, fifteen minutes old —
    // bound to the identity and its credential version (0: never revoked).
    const iat = nowSeconds() - 901;
    const expired = signHs256(
      {
        entity_id: "exp@b.co",
        provider: "emailpass",
        actor_type: "customer",
        auth_identity_id: registered.payload.auth_identity_id,
        credential_version: 0,
        jti: randomBytes(16).toString("hex"),
        purpose: "reset",
        iat,
        exp: iat + 900,
      },
      TEST_JWT_SECRET,
    );
    await assertError(await update(expired, "new horse battery"), 401, "unauthorized", "Invalid token");
    // The same claims, unexpired, would have worked: only the clock refused it.
    const fresh = signHs256(
      { ...JSON.parse(Buffer.from(expired.split(".")[1], "base64url")), iat: nowSeconds(), exp: nowSeconds() + 900 },
      TEST_JWT_SECRET,
    );
    assert.equal((await update(fresh, "new horse battery")).status, 200);
  });

  test("a token for another actor type, a login token, or none is an Invalid token", async () => {
    const login = await tokenFrom(await worker.post(REGISTER, { email: "actor@b.co", password: "correct horse" }));
    const { json } = await requestReset("actor@b.co");
    const userRoute = await worker.post(
      "/auth/user/emailpass/update",
      { password: "new horse battery" },
      { authorization: `Bearer ${json.data.token}` },
    );
    await assertError(userRoute, 401, "unauthorized", "Invalid token");
    await assertError(await update(login.raw, "new horse battery"), 401, "unauthorized", "Invalid token");
    await assertError(await update(undefined, "new horse battery"), 401, "unauthorized", "Invalid token");
    // Unspent by those attempts.
    assert.equal((await update(json.data.token, "new horse battery")).status, 200);
  });

  test("a password change revokes earlier tokens for refresh", async () => {
    const before = await tokenFrom(await worker.post(REGISTER, { email: "rev@b.co", password: "correct horse" }));
    const { json } = await requestReset("rev@b.co");
    assert.equal((await update(json.data.token, "new horse battery")).status, 200);
    const refresh = (token) => worker.fetch("/auth/token/refresh", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await jsonBody(await refresh(before.raw), 401), { message: "Unauthorized" });
    // A login right after the change (same second, most likely) gets a token that refresh accepts.
    const after = await tokenFrom(await worker.post(LOGIN, { email: "rev@b.co", password: "new horse battery" }));
    await tokenFrom(await refresh(after.raw));
  });

  test("201 with an empty body for unknown emails and providers; nothing is sent", async () => {
    const count = receiver.deliveries.length;
    for (const [path, identifier] of [
      [RESET, "nobody@b.co"],
      ["/auth/customer/nosuchprovider/reset-password", "jane@b.co"],
      ["/auth/user/emailpass/reset-password", "nobody@b.co"],
    ]) {
      const response = await worker.post(path, { identifier });
      assert.equal(response.status, 201, path);
      assert.equal(await response.text(), "");
    }
    await sleep(300);
    assert.equal(receiver.deliveries.length, count);
  });

  test("a missing identifier is 400", async () => {
    for (const body of [{}, { identifier: "" }, { identifier: 7 }]) {
      await assertError(
        await worker.post(RESET, body),
        400,
        "invalid_data",
        "Invalid request: Field 'identifier' is required",
      );
    }
  });

  test("a failing receiver is retried and never changes the 201", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "retry@b.co", password: "correct horse" }));
    const count = receiver.deliveries.length;
    receiver.status = 503;
    try {
      const response = await worker.post(RESET, { identifier: "retry@b.co" });
      assert.equal(response.status, 201);
      const third = await receiver.waitFor(count + 3, 10_000);
      const ids = receiver.deliveries.slice(count).map((d) => d.headers["x-edge-auth-delivery"]);
      assert.deepEqual(new Set(ids).size, 1, "one delivery id for all attempts");
      assert.ok(verifySignature(third.headers["x-edge-auth-signature"], third.raw));
      await sleep(300);
      assert.equal(receiver.deliveries.length, count + 3, "at most three attempts");
    } finally {
      receiver.status = 204;
    }
  });

  test("[timing report] the 201 takes as long for unknown emails as for known ones", async () => {
    await tokenFrom(await worker.post(REGISTER, { email: "known@b.co", password: "correct horse" }));
    const time = async (identifier) => {
      const started = performance.now();
      const response = await worker.post(RESET, { identifier });
      await response.arrayBuffer();
      assert.equal(response.status, 201);
      return performance.now() - started;
    };
    const known = [];
    const unknown = [];
    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      // Rate limits are off in this suite (harness default), so one email may ask many times. The pauses
      // let each request's background work (a 50 ms head start, lookup, delivery) finish, so it does not
      // slow the next request down.
      known.push(await time("known@b.co"));
      await sleep(150);
      unknown.push(await time(`unknown${i}@b.co`));
      await sleep(150);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    console.log(
      `[timing report] reset-password 201: known email median ${median(known).toFixed(2)} ms, ` +
        `unknown email median ${median(unknown).toFixed(2)} ms (${rounds} each, alternating, 150 ms apart; ` +
        `lookup and delivery run after the answer)`,
    );
  });
});
