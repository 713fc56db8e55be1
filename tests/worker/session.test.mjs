// Cookie sessions end to end in workerd, Medusa's HTTP test flow: register → link the actor (admin API) →
// refresh → POST /auth/session with the Bearer token → the __Host-connect.sid cookie authenticates → DELETE
// /auth/session → the cookie no longer does. SESSION_COOKIE_NAME=connect.sid switches to Medusa's name.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_TIMEOUT_MS, jsonBody, startWorker, tokenFrom } from "./harness.mjs";

const ADMIN_SECRET = "admin-end-to-end-0123456789abcdef0123";

describe("cookie sessions", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker({ vars: { ADMIN_SECRET } });
  });
  after(() => worker?.dispose());

  const bearer = (token) => ({ authorization: `Bearer ${token}` });
  const session = (method, headers = {}) => worker.fetch("/auth/session", { method, headers });
  const unauthorized = async (response) =>
    assert.deepEqual(await jsonBody(response, 401), { message: "Unauthorized" });

  /** A token of a customer whose actor is linked, as the app does after creating it. */
  async function customerToken(email) {
    const registered = await tokenFrom(
      await worker.post("/auth/customer/emailpass/register", { email, password: "correct horse" }),
    );
    const id = registered.payload.auth_identity_id;
    const patched = await worker.fetch(`/admin/auth-identities/${id}`, {
      method: "PATCH",
      headers: { ...bearer(ADMIN_SECRET), "content-type": "application/json" },
      body: JSON.stringify({ app_metadata: { customer_id: `cus_${id.slice(-6)}` } }),
    });
    assert.equal(patched.status, 200);
    return tokenFrom(await worker.fetch("/auth/token/refresh", { method: "POST", headers: bearer(registered.raw) }));
  }

  test("open, use and close a session; afterwards the cookie no longer authenticates", async () => {
    const token = await customerToken("s@b.co");
    const opened = await session("POST", bearer(token.raw));
    const body = await jsonBody(opened, 200);
    assert.deepEqual(body, {
      user: {
        actor_id: token.payload.actor_id,
        actor_type: "customer",
        auth_identity_id: token.payload.auth_identity_id,
        auth_provider: "emailpass",
        mfa_enabled: false,
        mfa_challenge_completed_at: null,
        app_metadata: { customer_id: token.payload.actor_id },
        user_metadata: {},
      },
    });

    const setCookie = opened.headers.get("set-cookie");
    const attributes = setCookie.split(";").map((a) => a.trim());
    const [nameValue] = attributes;
    assert.match(nameValue, /^__Host-connect\.sid=[A-Za-z0-9_-]{43}$/);
    for (const flag of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age=36000"]) {
      assert.ok(attributes.includes(flag), `${flag} in ${setCookie}`);
    }
    assert.ok(!attributes.some((a) => /^domain=/i.test(a)), "no Domain: host-only");
    const cookie = { cookie: nameValue };

    assert.deepEqual(await jsonBody(await session("GET", cookie), 200), body);
    // The same id under the unprefixed name (which another host could set) is not read.
    await unauthorized(await session("GET", { cookie: nameValue.replace(/^__Host-/, "") }));

    const closed = await session("DELETE", cookie);
    assert.deepEqual(await jsonBody(closed, 200), { success: true });
    assert.match(closed.headers.get("set-cookie"), /^__Host-connect\.sid=; Max-Age=0;/);

    await unauthorized(await session("GET", cookie));
    await unauthorized(await session("DELETE", cookie));
  });

  test("a token without an actor opens a session (Medusa's allowUnregistered) that refresh and DELETE take", async () => {
    const fresh = await tokenFrom(
      await worker.post("/auth/customer/emailpass/register", { email: "noactor@b.co", password: "correct horse" }),
    );
    assert.equal(fresh.payload.actor_id, "");
    const opened = await session("POST", bearer(fresh.raw));
    assert.deepEqual(await jsonBody(opened, 200), {
      user: {
        actor_id: "",
        actor_type: "customer",
        auth_identity_id: fresh.payload.auth_identity_id,
        auth_provider: "emailpass",
        mfa_enabled: false,
        mfa_challenge_completed_at: null,
        app_metadata: {},
        user_metadata: {},
      },
    });
    const cookie = { cookie: opened.headers.get("set-cookie").split(";")[0] };
    const refreshed = await tokenFrom(await worker.fetch("/auth/token/refresh", { method: "POST", headers: cookie }));
    assert.equal(refreshed.payload.auth_identity_id, fresh.payload.auth_identity_id);
    assert.equal(refreshed.payload.actor_id, "");
    assert.deepEqual(await jsonBody(await session("DELETE", cookie), 200), { success: true });
    await unauthorized(await worker.fetch("/auth/token/refresh", { method: "POST", headers: cookie }));
  });

  test("no cookie, or a cookie naming no session, is 401", async () => {
    await unauthorized(await session("GET"));
    await unauthorized(await session("GET", { cookie: `__Host-connect.sid=${"A".repeat(43)}` }));
    await unauthorized(await session("DELETE", { cookie: "__Host-connect.sid=garbage" }));
  });

  test("a password change ends earlier sessions", async () => {
    const token = await customerToken("changes@b.co");
    const opened = await session("POST", bearer(token.raw));
    assert.equal(opened.status, 200);
    const cookie = { cookie: opened.headers.get("set-cookie").split(";")[0] };
    await opened.arrayBuffer();
    const changed = await worker.post(
      "/auth/customer/emailpass/change-password",
      { current_password: "correct horse", password: "new horse battery" },
      bearer(token.raw),
    );
    const fresh = await tokenFrom(changed);
    await unauthorized(await session("GET", cookie));
    await unauthorized(await session("POST", bearer(token.raw)));
    assert.equal((await session("POST", bearer(fresh.raw))).status, 200);
  });
});

test("SESSION_COOKIE_NAME=connect.sid: Medusa's name, read and written", { timeout: TEST_TIMEOUT_MS }, async () => {
  const worker = await startWorker({ vars: { ADMIN_SECRET, SESSION_COOKIE_NAME: "connect.sid" } });
  try {
    const registered = await tokenFrom(
      await worker.post("/auth/customer/emailpass/register", { email: "m@b.co", password: "correct horse" }),
    );
    const id = registered.payload.auth_identity_id;
    const headers = { authorization: `Bearer ${ADMIN_SECRET}`, "content-type": "application/json" };
    const body = JSON.stringify({ app_metadata: { customer_id: "cus_m" } });
    assert.equal((await worker.fetch(`/admin/auth-identities/${id}`, { method: "PATCH", headers, body })).status, 200);
    const refreshed = await worker.fetch("/auth/token/refresh", {
      method: "POST",
      headers: { authorization: `Bearer ${registered.raw}` },
    });
    const token = await tokenFrom(refreshed);
    const opened = await worker.fetch("/auth/session", { method: "POST", headers: { authorization: `Bearer ${token.raw}` } });
    assert.equal(opened.status, 200);
    const nameValue = opened.headers.get("set-cookie").split(";")[0];
    assert.match(nameValue, /^connect\.sid=[A-Za-z0-9_-]{43}$/);
    const read = await worker.fetch("/auth/session", { headers: { cookie: nameValue } });
    assert.equal(read.status, 200);
    const prefixed = await worker.fetch("/auth/session", { headers: { cookie: `__Host-${nameValue}` } });
    assert.equal(prefixed.status, 401);
  } finally {
    await worker.dispose();
  }
});
