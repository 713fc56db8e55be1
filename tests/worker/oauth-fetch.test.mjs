// The Worker's outgoing fetches (src/worker/fetch_client.rs) against a misbehaving identity provider on
// 127.0.0.1: redirects are not followed, oversized answers are refused, a silent server times out — each
// a clear `success: false` message (401), never a hang or a 500.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { TEST_TIMEOUT_MS, assertError, jsonBody, startWorker } from "./harness.mjs";

describe("outgoing fetches to a misbehaving provider", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let server;
  let base;
  let worker;
  const hits = [];
  before(async () => {
    server = createServer((req, res) => {
      hits.push(req.url);
      if (req.url.startsWith("/redirect/token")) {
        res.writeHead(302, { location: `${base}/stolen` });
        return res.end();
      }
      if (req.url.startsWith("/huge/token")) {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ access_token: "x".repeat(300 * 1024) }));
      }
      if (req.url.startsWith("/chunked/token")) {
        // No content-length: the bound must hold while streaming.
        res.writeHead(200, { "content-type": "application/json" });
        const piece = "x".repeat(64 * 1024);
        res.write('{"access_token":"');
        for (let i = 0; i < 8; i++) res.write(piece);
        return res.end('"}');
      }
      if (req.url.startsWith("/silent/token")) return; // never answers
      res.writeHead(404).end();
    });
    base = await new Promise((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`)),
    );
    const entry = (id) => ({
      id,
      issuer: base,
      clientId: "c",
      clientSecret: "s",
      callbackUrl: "https://shop.example/cb",
      authorizationUrl: `${base}/${id}/authorize`,
      tokenUrl: `${base}/${id}/token`,
      jwksUrl: `${base}/${id}/jwks`,
    });
    worker = await startWorker({
      vars: {
        AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["redirect", "huge", "chunked", "silent"] }),
        OIDC_PROVIDERS: JSON.stringify(["redirect", "huge", "chunked", "silent"].map(entry)),
      },
    });
  });
  after(async () => {
    await worker?.dispose();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function callback(id) {
    const { location } = await jsonBody(await worker.fetch(`/auth/customer/${id}`), 200);
    const state = new URL(location).searchParams.get("state");
    return worker.fetch(`/auth/customer/${id}/callback?code=c0de&state=${state}`);
  }

  test("a redirect from the token endpoint is not followed", async () => {
    await assertError(await callback("redirect"), 401, "unauthorized", "Could not exchange token, 302, Found");
    assert.ok(!hits.includes("/stolen"), "the Worker never went where the redirect pointed");
  });

  test("an answer over 256 KiB is refused, whether declared or streamed", async () => {
    const host = new URL(base).host;
    for (const id of ["huge", "chunked"]) {
      await assertError(await callback(id), 401, "unauthorized", `Response from ${host} exceeds 262144 bytes`);
    }
  });

  test("a provider that never answers times out after 10 s with a clear message", async () => {
    const host = new URL(base).host;
    const started = Date.now();
    await assertError(await callback("silent"), 401, "unauthorized", `Request to ${host} timed out after 10000 ms`);
    assert.ok(Date.now() - started < 20_000);
  });
});
