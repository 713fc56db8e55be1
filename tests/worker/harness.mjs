// Test harness: runs the real, built Worker (worker/entry.mjs + build/worker/*) in workerd through
// Miniflare's JS API, with an in-memory (or persisted) AUTH_KV namespace, and checks its JWTs with
// node:crypto — independently of the Rust code that made them.

import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const TEST_JWT_SECRET = "test-secret-for-the-end-to-end-suite-only";

/** Vars every test starts from; a test overrides some, and `undefined` removes one (unset variable). */
export const DEFAULT_VARS = Object.freeze({
  ENVIRONMENT: "development",
  JWT_SECRET: TEST_JWT_SECRET,
  // The minimum the Worker accepts: hashing at 600,000 would make the suite slow (see perf.test.mjs).
  PBKDF2_ITERATIONS: "1000",
  AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["emailpass"], user: ["emailpass"] }),
  // Contract suites send dozens of requests for one email from one client in seconds; the rate limits
  // have their own suite (rate-limit.test.mjs), which turns them on.
  RATE_LIMITS: "off",
});

/** Bound for one test: generous enough for a cold workerd start plus a few KDF runs. */
export const TEST_TIMEOUT_MS = 30_000;

// One place for the compatibility date: the line in wrangler.toml that deployments use.
function compatibilityDate() {
  const toml = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8");
  const match = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(toml);
  assert.ok(match, "wrangler.toml has no compatibility_date");
  return match[1];
}

function assertWorkerBuilt() {
  for (const file of ["edge_auth.js", "edge_auth_bg.wasm"]) {
    if (!existsSync(join(REPO_ROOT, "build", "worker", file))) {
      throw new Error(`build/worker/${file} is missing: run ./scripts/build-worker.sh (or ./scripts/test.sh)`);
    }
  }
}

/**
 * Starts the Worker. Options:
 *   vars      overrides of DEFAULT_VARS (a value of `undefined` leaves the variable unset)
 *   kvPersist directory for AUTH_KV's data, to share it between instances (default: in memory)
 *   kv        bind the KV namespace AUTH_KV (default: true); false leaves the name to `vars`, or unbound
 *   guard     bind the guard Durable Object AUTH_GUARD, as wrangler.toml does (default: true); false runs
 *             the Worker on KV alone
 *   caller    source of an ES module Worker put in front of ours: every request goes to it first, and it
 *             reaches ours through the service binding AUTH (for requests only a Worker can make, such as
 *             a body streamed from inside workerd, with no socket between)
 *   port      the port on 127.0.0.1 to listen on (default: any free one), for a Worker whose vars must
 *             name its own URL (the development outbox as its reset webhook)
 * Returns { url, fetch(path, init), post(path, json, headers), kvGet(key), kvPut(key, value), kvDelete(key),
 *   kvEntries(), dispose() }; `url` is where it listens (for clients that use real sockets: the js-sdk).
 * Always dispose: `await using` is not available everywhere yet, so tests use try/finally.
 */
export async function startWorker({ vars = {}, kvPersist, kv: bindKv = true, guard = true, caller, port = 0 } = {}) {
  assertWorkerBuilt();
  const bindings = {};
  for (const [name, value] of Object.entries({ ...DEFAULT_VARS, ...vars })) {
    if (value !== undefined) bindings[name] = value;
  }
  const edgeAuth = {
    name: "edge-auth",
    rootPath: REPO_ROOT,
    modules: true,
    modulesRoot: REPO_ROOT,
    scriptPath: "worker/entry.mjs",
    modulesRules: [
      // wasm-bindgen's --target web glue is an ES module despite the .js extension
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: compatibilityDate(),
    kvNamespaces: bindKv ? ["AUTH_KV"] : [],
    ...(guard ? { durableObjects: { AUTH_GUARD: { className: "AuthGuard", useSQLite: true } } } : {}),
    bindings,
  };
  const front = caller && {
    name: "caller",
    modules: [{ type: "ESModule", path: "caller.mjs", contents: caller }],
    compatibilityDate: compatibilityDate(),
    serviceBindings: { AUTH: "edge-auth" },
  };
  const mf = new Miniflare({
    host: "127.0.0.1",
    port, // by default any free port: `./scripts/run.sh` may be using 8787
    ...(kvPersist ? { kvPersist } : {}),
    workers: front ? [front, edgeAuth] : [edgeAuth],
  });
  const url = await mf.ready;

  const kv = bindKv ? await mf.getKVNamespace("AUTH_KV", "edge-auth") : undefined;
  let disposed = false;
  return {
    /** The origin it listens on, e.g. `http://127.0.0.1:41234`. */
    url: url.origin,
    /** Sends a request to the Worker; `path` is resolved against https://edge-auth.test. */
    fetch(path, init = {}) {
      return mf.dispatchFetch(new URL(path, "https://edge-auth.test").href, init);
    },
    /** POST with a JSON body (Content-Type: application/json). */
    post(path, json, headers = {}) {
      return mf.dispatchFetch(new URL(path, "https://edge-auth.test").href, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(json),
      });
    },
    kvGet(key) {
      return kv.get(key, "text");
    },
    /** Writes AUTH_KV directly (e.g. to make it show what a location with an older copy would). */
    kvPut(key, value) {
      return kv.put(key, value);
    },
    kvDelete(key) {
      return kv.delete(key);
    },
    /** Every key in AUTH_KV with its value as text. */
    async kvEntries() {
      const entries = [];
      let cursor;
      do {
        const page = await kv.list(cursor ? { cursor } : {});
        for (const { name } of page.keys) entries.push([name, await kv.get(name, "text")]);
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return entries;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await mf.dispose();
    },
  };
}

/** A port on 127.0.0.1 that was free a moment ago (for `startWorker({ port })`). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a Worker, runs `fn(worker)`, and always disposes it (instances run one after another). */
export async function withWorker(options, fn) {
  const worker = await startWorker(options);
  try {
    return await fn(worker);
  } finally {
    await worker.dispose();
  }
}

// --- responses --------------------------------------------------------------------------------------------

/** Asserts the status and an application/json content type, and returns the parsed body. */
export async function jsonBody(response, expectedStatus) {
  const text = await response.text();
  assert.equal(response.status, expectedStatus, `status ${response.status}, body: ${text}`);
  const contentType = response.headers.get("content-type") ?? "";
  assert.match(contentType, /^application\/json\b/, `content-type "${contentType}", body: ${text}`);
  return JSON.parse(text);
}

/** Asserts a Medusa-style error response: exact status, `type` and `message`, and nothing else. */
export async function assertError(response, status, type, message) {
  assert.deepEqual(await jsonBody(response, status), { type, message });
}

/** Asserts `200 {token}` (exactly one key) and returns the decoded token. */
export async function tokenFrom(response) {
  const body = await jsonBody(response, 200);
  assert.deepEqual(Object.keys(body), ["token"], `expected exactly {token}, got ${JSON.stringify(body)}`);
  assert.equal(typeof body.token, "string");
  return decodeJwt(body.token);
}

// --- JWTs, checked with node:crypto ---------------------------------------------------------------------

const base64url = (bytes) => Buffer.from(bytes).toString("base64url");
const jsonPart = (value) => base64url(JSON.stringify(value));

/** Splits a compact JWS; returns { raw, header, payload, signature } (header and payload parsed). */
export function decodeJwt(token) {
  const parts = token.split(".");
  assert.equal(parts.length, 3, `not a compact JWS: ${token}`);
  return {
    raw: token,
    header: JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")),
    payload: JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")),
    signature: parts[2],
  };
}

/** True if `token` carries a valid HS256 signature under `secret` (UTF-8 bytes, as jsonwebtoken does). */
export function verifyHs256(token, secret) {
  const [header, payload, signature] = token.split(".");
  if (signature === undefined) return false;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature, "base64url");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Makes an HS256 JWT (to forge, expire or re-sign tokens in tests). */
export function signHs256(payload, secret, header = { alg: "HS256", typ: "JWT" }) {
  const signingInput = `${jsonPart(header)}.${jsonPart(payload)}`;
  return `${signingInput}.${base64url(createHmac("sha256", secret).update(signingInput).digest())}`;
}

/** An unsigned `alg: none` token. */
export function unsignedJwt(payload) {
  return `${jsonPart({ alg: "none", typ: "JWT" })}.${jsonPart(payload)}.`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Medusa's auth identity ids: "authid_" + a ULID (Crockford base32, 26 characters). */
export const AUTH_IDENTITY_ID = /^authid_[0-9A-HJKMNP-TV-Z]{26}$/;
