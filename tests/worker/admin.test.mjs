// The admin API end to end in workerd: its authentication (disabled without ADMIN_SECRET, 401 for a
// missing or wrong secret), listing with filters and cursors, and linking an actor that the next
// /auth/token/refresh picks up.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_TIMEOUT_MS, assertError, jsonBody, tokenFrom, startWorker, withWorker } from "./harness.mjs";

const ADMIN_SECRET = "admin-end-to-end-0123456789abcdef0123";
const LIST = "/admin/auth-identities";

test("without ADMIN_SECRET the admin API answers 404 saying so", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({}, async (worker) => {
    for (const [method, path] of [["GET", LIST], ["GET", `${LIST}/authid_x`], ["DELETE", `${LIST}/authid_x`]]) {
      await assertError(
        await worker.fetch(path, { method, headers: { authorization: `Bearer ${ADMIN_SECRET}` } }),
        404,
        "not_found",
        "The admin API is disabled: set the ADMIN_SECRET secret to enable it",
      );
    }
  });
});

describe("admin API", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  const ids = [];
  before(async () => {
    worker = await startWorker({ vars: { ADMIN_SECRET } });
    for (const email of ["a@b.co", "b@b.co", "c@b.co"]) {
      const token = await tokenFrom(
        await worker.post("/auth/customer/emailpass/register", { email, password: "correct horse" }),
      );
      ids.push(token.payload.auth_identity_id);
    }
  });
  after(() => worker?.dispose());

  const admin = (path, init = {}) =>
    worker.fetch(path, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_SECRET}`, "content-type": "application/json", ...init.headers },
    });

  test("a missing or wrong secret is 401 on every route, and changes nothing", async () => {
    const wrong = [
      {},
      { authorization: "Bearer" },
      { authorization: "Bearer wrong" },
      { authorization: `Basic ${ADMIN_SECRET}` },
      { authorization: `Bearer ${ADMIN_SECRET.slice(0, -1)}` },
      { authorization: `Bearer ${ADMIN_SECRET}x` },
      { authorization: ADMIN_SECRET },
    ];
    for (const headers of wrong) {
      for (const [method, path] of [
        ["GET", LIST],
        ["GET", `${LIST}/${ids[0]}`],
        ["PATCH", `${LIST}/${ids[0]}`],
        ["DELETE", `${LIST}/${ids[0]}`],
      ]) {
        await assertError(
          await worker.fetch(path, {
            method,
            headers: { "content-type": "application/json", ...headers },
            body: method === "PATCH" ? JSON.stringify({ app_metadata: { customer_id: "x" } }) : undefined,
          }),
          401,
          "unauthorized",
          "Unauthorized",
        );
      }
    }
    const still = await jsonBody(await admin(`${LIST}/${ids[0]}`), 200);
    assert.deepEqual(still.auth_identity.app_metadata, {});
  });

  test("list, filter and page", async () => {
    const all = await jsonBody(await admin(LIST), 200);
    assert.deepEqual(
      all.auth_identities.map((i) => i.id).sort(),
      [...ids].sort(),
    );
    assert.equal(all.next_cursor, null);
    assert.ok(!JSON.stringify(all).includes("pbkdf2"), "no password hashes");

    const byEmail = await jsonBody(await admin(`${LIST}?provider=emailpass&entity_id=${encodeURIComponent("b@b.co")}`), 200);
    assert.deepEqual(byEmail.auth_identities.map((i) => i.id), [ids[1]]);

    const seen = [];
    let query = "?limit=2";
    let pages = 0;
    for (;;) {
      const page = await jsonBody(await admin(`${LIST}${query}`), 200);
      seen.push(...page.auth_identities.map((i) => i.id));
      pages++;
      if (!page.next_cursor) break;
      query = `?limit=2&cursor=${page.next_cursor}`;
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen.sort(), [...ids].sort());
  });

  test("PATCH app_metadata.customer_id; the next refresh carries it as actor_id", async () => {
    const registered = await tokenFrom(
      await worker.post("/auth/customer/emailpass", { email: "c@b.co", password: "correct horse" }),
    );
    assert.equal(registered.payload.actor_id, "");
    const patched = await jsonBody(
      await admin(`${LIST}/${ids[2]}`, { method: "PATCH", body: JSON.stringify({ app_metadata: { customer_id: "cus_c" } }) }),
      200,
    );
    assert.deepEqual(patched.auth_identity.app_metadata, { customer_id: "cus_c" });

    const refreshed = await tokenFrom(
      await worker.fetch("/auth/token/refresh", { method: "POST", headers: { authorization: `Bearer ${registered.raw}` } }),
    );
    assert.equal(refreshed.payload.actor_id, "cus_c");
    assert.deepEqual(refreshed.payload.app_metadata, { customer_id: "cus_c" });

    const filtered = await jsonBody(await admin(`${LIST}?app_metadata=${encodeURIComponent('{"customer_id":"cus_c"}')}`), 200);
    assert.deepEqual(filtered.auth_identities.map((i) => i.id), [ids[2]]);
  });

  test("DELETE removes the identity and frees its email", async () => {
    const deleted = await jsonBody(await admin(`${LIST}/${ids[0]}`, { method: "DELETE" }), 200);
    assert.deepEqual(deleted, { id: ids[0], object: "auth_identity", deleted: true });
    await assertError(await admin(`${LIST}/${ids[0]}`), 404, "not_found", `AuthIdentity with id: ${ids[0]} was not found`);
    const again = await tokenFrom(
      await worker.post("/auth/customer/emailpass/register", { email: "a@b.co", password: "another horse" }),
    );
    assert.notEqual(again.payload.auth_identity_id, ids[0]);
  });
});

// The module routes the Medusa bridge calls (docs/http-api.md#module-api-for-a-medusa-backend), over the
// wire in workerd: Medusa's AuthenticationResponse, the MFA factors, the secret, bad input, and the end
// user's forwarded address counted per IP on them only.
test("the admin module routes answer Medusa's AuthenticationResponse and count the forwarded client", { timeout: 2 * TEST_TIMEOUT_MS }, async () => {
  const limits = JSON.stringify({ authenticate: { ip: { limit: 2, window: "1m" } } });
  await withWorker({ vars: { ADMIN_SECRET, RATE_LIMITS: limits } }, async (worker) => {
    const admin = (path, body, headers = {}) =>
      worker.post(path, body, { authorization: `Bearer ${ADMIN_SECRET}`, ...headers });
    const credentials = (email, password) => ({ body: { email, password }, query: {}, url: "/ignored" });

    const registered = await jsonBody(await admin("/admin/auth/emailpass/register", credentials("Mod@b.co", "correct horse")), 200);
    assert.equal(registered.success, true);
    assert.deepEqual(Object.keys(registered).sort(), ["authIdentity", "success"]);
    assert.match(registered.authIdentity.id, /^authid_/);
    assert.equal(registered.authIdentity.provider_identities[0].entity_id, "mod@b.co");
    assert.ok(!JSON.stringify(registered).includes("pbkdf2"), JSON.stringify(registered));
    assert.deepEqual(
      await jsonBody(await admin("/admin/auth/emailpass/register", credentials("mod@b.co", "other horse")), 200),
      { success: false, error: "Identity with email already exists" },
    );
    const signedIn = await jsonBody(await admin("/admin/auth/emailpass/authenticate", credentials("mod@b.co", "correct horse")), 200);
    assert.equal(signedIn.authIdentity.id, registered.authIdentity.id);

    const factors = await worker.fetch(`/admin/auth-identities/${registered.authIdentity.id}/mfa-factors`, {
      headers: { authorization: `Bearer ${ADMIN_SECRET}` },
    });
    assert.deepEqual(await jsonBody(factors, 200), { mfa_factors: [] });

    for (const auth of [undefined, "Bearer wrong"]) {
      const headers = { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) };
      const r = await worker.fetch("/admin/auth/emailpass/authenticate", {
        method: "POST",
        headers,
        body: JSON.stringify(credentials("mod@b.co", "correct horse")),
      });
      await assertError(r, 401, "unauthorized", "Unauthorized");
    }
    await assertError(
      await admin("/admin/auth/emailpass/authenticate", { body: "mod@b.co" }),
      400,
      "invalid_data",
      "body must be an object",
    );
    await assertError(
      await admin("/admin/auth/emailpass/authenticate", { query: { code: 1 } }),
      400,
      "invalid_data",
      "query must be an object of strings",
    );

    // Per IP: the forwarded end user's address, two wrong passwords a minute.
    const from = (ip, email) =>
      admin("/admin/auth/emailpass/authenticate", credentials(email, "wrong horse!"), { "x-edge-auth-client-ip": ip });
    for (const email of ["a@b.co", "b@b.co"]) {
      assert.deepEqual(await jsonBody(await from("203.0.113.7", email), 200), { success: false, error: "Invalid email or password" });
    }
    const limited = await from("203.0.113.7", "c@b.co");
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    await limited.text();
    assert.equal((await jsonBody(await from("198.51.100.2", "c@b.co"), 200)).error, "Invalid email or password");
    // The public route ignores the header: its client is CF-Connecting-IP.
    const publicWrong = (ip) =>
      worker.post("/auth/customer/emailpass", { email: "d@b.co", password: "wrong horse!" }, { "x-edge-auth-client-ip": ip, "cf-connecting-ip": "192.0.2.5" });
    assert.equal((await publicWrong("10.0.0.1")).status, 401);
    assert.equal((await publicWrong("10.0.0.2")).status, 401);
    assert.equal((await publicWrong("10.0.0.3")).status, 429);
  });
});
