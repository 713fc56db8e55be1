// POST /auth/token/refresh: a valid Bearer token buys a fresh one for the same identity; anything else is
// 401 {"message":"Unauthorized"}.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  TEST_JWT_SECRET,
  TEST_TIMEOUT_MS,
  jsonBody,
  nowSeconds,
  signHs256,
  startWorker,
  tokenFrom,
  unsignedJwt,
  verifyHs256,
} from "./harness.mjs";

const REFRESH = "/auth/token/refresh";

describe("token refresh", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  let issued; // decoded token from a registration
  before(async () => {
    worker = await startWorker();
    issued = await tokenFrom(
      await worker.post("/auth/customer/emailpass/register", { email: "a@b.co", password: "correct horse" }),
    );
  });
  after(() => worker?.dispose());

  const refresh = (headers = {}) => worker.fetch(REFRESH, { method: "POST", headers });
  const bearer = (token) => ({ authorization: `Bearer ${token}` });

  async function assertUnauthorized(response, why) {
    assert.deepEqual(await jsonBody(response, 401), { message: "Unauthorized" }, why);
  }

  test("a valid token is exchanged for a fresh one for the same identity", async () => {
    await sleep(1100); // let the clock tick over a second, so a fresh iat is visible
    const fresh = await tokenFrom(await refresh(bearer(issued.raw)));
    assert.ok(verifyHs256(fresh.raw, TEST_JWT_SECRET), "signature does not verify under JWT_SECRET");
    assert.deepEqual(fresh.header, { alg: "HS256", typ: "JWT" });
    assert.equal(fresh.payload.actor_type, "customer");
    assert.equal(fresh.payload.auth_identity_id, issued.payload.auth_identity_id);
    assert.equal(fresh.payload.actor_id, "");
    assert.deepEqual(fresh.payload.app_metadata, {});
    assert.ok(fresh.payload.iat >= issued.payload.iat, "iat went backwards");
    assert.ok(fresh.payload.exp >= issued.payload.exp, "exp went backwards");
    assert.equal(fresh.payload.exp - fresh.payload.iat, 86_400);
  });

  test("the refreshed token can itself be refreshed", async () => {
    const fresh = await tokenFrom(await refresh(bearer(issued.raw)));
    const again = await tokenFrom(await refresh(bearer(fresh.raw)));
    assert.equal(again.payload.auth_identity_id, issued.payload.auth_identity_id);
  });

  test("no Authorization header → 401", async () => {
    await assertUnauthorized(await refresh());
  });

  test("a malformed Authorization header → 401", async () => {
    for (const authorization of ["Bearer", "Bearer ", "Bearer garbage", "Bearer a.b.c", `Basic ${issued.raw}`, issued.raw]) {
      await assertUnauthorized(await refresh({ authorization }), `Authorization: ${authorization}`);
    }
  });

  test("a token signed with another secret → 401", async () => {
    await assertUnauthorized(await refresh(bearer(signHs256(issued.payload, "another secret"))));
  });

  test("an alg:none token → 401", async () => {
    await assertUnauthorized(await refresh(bearer(unsignedJwt(issued.payload))));
  });

  test("a token with a tampered payload → 401", async () => {
    const [header, , signature] = issued.raw.split(".");
    const payload = Buffer.from(JSON.stringify({ ...issued.payload, actor_type: "user" })).toString("base64url");
    await assertUnauthorized(await refresh(bearer(`${header}.${payload}.${signature}`)));
  });

  test("an expired token (correctly signed) → 401", async () => {
    const now = nowSeconds();
    const expired = signHs256({ ...issued.payload, iat: now - 7200, exp: now - 3600 }, TEST_JWT_SECRET);
    await assertUnauthorized(await refresh(bearer(expired)));
  });
});
