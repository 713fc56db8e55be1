// CORS on /auth/*: only origins listed in AUTH_CORS get access-control-allow-origin (default: nobody).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_TIMEOUT_MS, jsonBody, tokenFrom, startWorker, withWorker } from "./harness.mjs";

const SHOP = "https://shop.example";
const EVIL = "https://evil.example";
const LOGIN = "/auth/customer/emailpass";
const CREDENTIALS = { email: "a@b.co", password: "correct horse" };

/** Every header @medusajs/js-sdk sends by itself (its client's defaults, locale and keys). */
const SDK_HEADERS = ["accept", "authorization", "content-type", "x-medusa-locale", "x-publishable-api-key"];

/** An OPTIONS preflight as a browser sends it; the body is read (and dropped), the headers kept. */
async function preflight(worker, origin, path = LOGIN, requestHeaders = "content-type,authorization") {
  const response = await worker.fetch(path, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": requestHeaders,
    },
  });
  await response.arrayBuffer();
  return response;
}

/** Header value as a lower-cased list, e.g. "POST, OPTIONS" → ["post", "options"]. */
const listHeader = (response, name) =>
  (response.headers.get(name) ?? "").split(",").map((item) => item.trim().toLowerCase()).filter(Boolean);

describe("with AUTH_CORS=https://shop.example", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker({ vars: { AUTH_CORS: SHOP } });
  });
  after(() => worker?.dispose());

  test("a preflight from the allowed origin is 204 with the CORS headers", async () => {
    for (const path of [LOGIN, `${LOGIN}/register`, "/auth/token/refresh"]) {
      const response = await preflight(worker, SHOP, path);
      assert.equal(response.status, 204, path);
      assert.equal(response.headers.get("access-control-allow-origin"), SHOP);
      assert.equal(response.headers.get("access-control-allow-credentials"), "true");
      assert.ok(listHeader(response, "access-control-allow-methods").includes("post"), "allow-methods has POST");
      const allowHeaders = listHeader(response, "access-control-allow-headers");
      assert.ok(allowHeaders.includes("content-type"), `allow-headers: ${allowHeaders}`);
      assert.ok(allowHeaders.includes("authorization"), `allow-headers: ${allowHeaders}`);
      assert.ok(listHeader(response, "vary").includes("origin"), "vary has Origin");
    }
  });

  test("a preflight allows every header the js-sdk sends, on every route it calls", async () => {
    for (const path of [LOGIN, "/auth/session", "/auth/customer/providers", `${LOGIN}/reset-password`]) {
      const response = await preflight(worker, SHOP, path, SDK_HEADERS.join(","));
      assert.equal(response.status, 204, path);
      assert.deepEqual(listHeader(response, "access-control-allow-headers"), SDK_HEADERS, path);
    }
  });

  test("a preflight from another origin gets no access-control-allow-origin", async () => {
    const response = await preflight(worker, EVIL);
    assert.ok(response.status < 500, `status ${response.status}`);
    assert.equal(response.headers.get("access-control-allow-origin"), null);
    assert.notEqual(response.headers.get("access-control-allow-credentials"), "true");
  });

  test("a real POST from the allowed origin carries access-control-allow-origin", async () => {
    const response = await worker.post(`${LOGIN}/register`, CREDENTIALS, { origin: SHOP });
    assert.equal(response.headers.get("access-control-allow-origin"), SHOP);
    assert.equal(response.headers.get("access-control-allow-credentials"), "true");
    assert.ok(listHeader(response, "vary").includes("origin"), "vary has Origin");
    await tokenFrom(response);
  });

  test("error answers to the allowed origin carry it too (the browser must be able to read them)", async () => {
    const response = await worker.post(LOGIN, { ...CREDENTIALS, password: "wrong horse" }, { origin: SHOP });
    await response.arrayBuffer();
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("access-control-allow-origin"), SHOP);
  });

  test("a real POST from another origin gets no access-control-allow-origin", async () => {
    const response = await worker.post(LOGIN, CREDENTIALS, { origin: EVIL });
    await response.arrayBuffer();
    assert.equal(response.headers.get("access-control-allow-origin"), null);
  });

  test("an origin that merely starts with the allowed one is not allowed", async () => {
    for (const origin of [`${SHOP}.evil.example`, "http://shop.example", `${SHOP}:8443`]) {
      const response = await preflight(worker, origin);
      assert.equal(response.headers.get("access-control-allow-origin"), null, origin);
    }
  });
});

for (const [what, vars] of [
  ["AUTH_CORS empty", { AUTH_CORS: "" }],
  ["AUTH_CORS unset", {}],
]) {
  test(`${what}: no access-control-allow-origin for anyone`, { timeout: TEST_TIMEOUT_MS }, async () => {
    await withWorker({ vars }, async (worker) => {
      for (const origin of [SHOP, EVIL, "null"]) {
        const response = await preflight(worker, origin);
        assert.ok(response.status < 500, `status ${response.status}`);
        assert.equal(response.headers.get("access-control-allow-origin"), null, `preflight from ${origin}`);
        const post = await worker.post(`${LOGIN}/register`, CREDENTIALS, { origin });
        assert.equal(post.headers.get("access-control-allow-origin"), null, `POST from ${origin}`);
        await post.arrayBuffer();
      }
    });
  });
}

test("AUTH_CORS lists several origins, comma-separated with spaces", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({ vars: { AUTH_CORS: `${SHOP}, https://admin.example` } }, async (worker) => {
    for (const origin of [SHOP, "https://admin.example"]) {
      assert.equal((await preflight(worker, origin)).headers.get("access-control-allow-origin"), origin);
    }
    assert.equal((await preflight(worker, EVIL)).headers.get("access-control-allow-origin"), null);
  });
});

test("AUTH_CORS_ALLOW_HEADERS adds header names to the default list", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({ vars: { AUTH_CORS: SHOP, AUTH_CORS_ALLOW_HEADERS: "X-Request-Id, x-tenant" } }, async (worker) => {
    const response = await preflight(worker, SHOP, LOGIN, "x-request-id,x-tenant,x-medusa-locale");
    assert.deepEqual(listHeader(response, "access-control-allow-headers"), [...SDK_HEADERS, "x-request-id", "x-tenant"]);
  });
});

test("a bad AUTH_CORS_ALLOW_HEADERS stops the Worker with a message naming it", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({ vars: { AUTH_CORS: SHOP, AUTH_CORS_ALLOW_HEADERS: "x-ok, *" } }, async (worker) => {
    const body = await jsonBody(await worker.post(LOGIN, CREDENTIALS), 500);
    assert.ok(body.message.includes("AUTH_CORS_ALLOW_HEADERS"), body.message);
  });
});
