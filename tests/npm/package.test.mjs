// The npm package as users get it: the tarball made by scripts/build-pkg.sh is installed into a fresh
// project in a temporary directory, then
//   - the seed page's flows run there on the system Node (>= 20) and on Node 22 (consumer/flows.test.mjs),
//     and "edge-auth/web" works once initialised by hand;
//   - tsc compiles consumer/types/ok.ts (with and without DOM or Workers types) and refuses
//     consumer/types/bad.ts with exactly the errors marked in it;
//   - a JavaScript Worker importing the package (consumer/worker.mjs) is bundled by wrangler, as a user's
//     `wrangler deploy` would, and run in workerd through Miniflare with a real KV namespace binding;
//   - so is the README's Worker with Medusa's whole /auth/* API (copied out of npm/README.md), driven
//     route by route, its reset tokens delivered to a webhook receiver on 127.0.0.1;
//   - the package's browser entry (top-level await, the .wasm fetched beside it) runs in headless Chromium.
// Run with Node >= 22 (wrangler and Miniflare need it): scripts/test.sh does.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { WEBHOOK_SECRET, startReceiver, verifySignature } from "../worker/webhook-receiver.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const BIN = join(ROOT, "node_modules", ".bin");
const STEP_TIMEOUT_MS = 120_000;

let project; // the temporary consumer project

/** Runs a command; fails the test with its output when it exits non-zero (or, with `expectFailure`, zero). */
function run(command, args, { cwd = project, env = {}, expectFailure = false } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: STEP_TIMEOUT_MS,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.error) throw new Error(`${command} ${args.join(" ")}: ${result.error.message}\n${output}`);
  const failed = result.status !== 0;
  assert.equal(failed, expectFailure, `${command} ${args.join(" ")} exited ${result.status}:\n${output}`);
  return output;
}

function tarball() {
  const dir = join(ROOT, "build", "npm");
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => /^edge-auth-.*\.tgz$/.test(f)) : [];
  assert.equal(found.length, 1, `expected one build/npm/edge-auth-*.tgz: run ./scripts/build-pkg.sh`);
  return join(dir, found[0]);
}

// One place for the compatibility date: the line in wrangler.toml that deployments use.
function compatibilityDate() {
  const match = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
  assert.ok(match, "wrangler.toml has no compatibility_date");
  return match[1];
}

before(() => {
  project = mkdtempSync(join(tmpdir(), "edge-auth-consumer-"));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "edge-auth-consumer", private: true, type: "module" }, null, 2),
  );
  cpSync(join(HERE, "consumer"), project, { recursive: true });
  // The packed tarball, exactly what `npm publish` would upload; and Workers' types for ok-workers.ts.
  run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    tarball(),
    join(ROOT, "node_modules", "@cloudflare", "workers-types"),
  ]);
});

after(() => {
  if (project && !process.env.KEEP_NPM_TEST_PROJECT) rmSync(project, { recursive: true, force: true });
});

/** Each Node to run the flows on: the system one (>= 20) and this one (>= 22). */
function nodes() {
  const system = spawnSync("node", ["-p", "process.execPath"], { encoding: "utf8" }).stdout?.trim();
  return [...new Set([system, process.execPath].filter(Boolean))];
}

for (const node of nodes()) {
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  test(`the seed page's flows run in a fresh Node ${version} project (${node})`, (t) => {
    assert.ok(Number(version.slice(1).split(".")[0]) >= 20, `Node ${version} is older than the package's >= 20`);
    // The third-party flow imports the OpenID Provider fixture (and its oidc-provider) from this repository.
    const output = run(node, ["--test-reporter=spec", "flows.test.mjs"], { env: { EDGE_AUTH_REPO_TESTS: join(ROOT, "tests") } });
    for (const line of output.split("\n").filter((l) => l.startsWith("edge-auth:"))) t.diagnostic(line);
  });
}

test("the flows ran on a Node >= 22 as well as on the system Node", () => {
  const majors = nodes().map((n) => Number(spawnSync(n, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }).stdout));
  assert.ok(majors.some((m) => m >= 22), `no Node >= 22 among ${majors}`);
});

test("edge-auth/web works once initialised by hand (initSync with the package's .wasm)", () => {
  const script = `
    import { readFileSync } from "node:fs";
    import { AuthModuleService, EdgeAuthError, MemoryStore, initSync } from "edge-auth/web";
    initSync({ module: readFileSync(new URL(import.meta.resolve("edge-auth/edge_auth_bg.wasm"))) });
    const auth = new AuthModuleService({ store: new MemoryStore(), providers: [{ id: "emailpass", options: { iterations: 1000 } }] });
    const { success } = await auth.register("emailpass", { body: { email: "web@example.com", password: "supersecret" } });
    let code;
    try { new AuthModuleService({ store: null }); } catch (e) { code = e instanceof EdgeAuthError && e.code; }
    console.log(JSON.stringify({ success, code }));
  `;
  const output = run(process.execPath, ["--input-type=module", "-e", script]);
  assert.deepEqual(JSON.parse(output.trim().split("\n").at(-1)), { success: true, code: "INVALID_STORE" });
});

// ---- TypeScript --------------------------------------------------------------------------------------

/** Writes a tsconfig for `files` and runs tsc on it; `lib`/`types` choose the environment's globals. */
function tsc(name, files, { lib = ["es2022"], types = [], expectFailure = false } = {}) {
  const config = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: "es2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      lib,
      types,
      skipLibCheck: false,
      noUnusedLocals: false,
    },
    files: files.map((f) => `types/${f}`),
  };
  writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
  return run(join(BIN, "tsc"), ["-p", `tsconfig.${name}.json`, "--pretty", "false"], { expectFailure });
}

test("tsc accepts ok.ts with no DOM and no Node types (the package's own types stand alone)", () => {
  tsc("plain", ["ok.ts"]);
});

test("tsc accepts ok.ts and edge-auth/web in a browser project (lib dom)", () => {
  tsc("dom", ["ok.ts", "ok-web.ts"], { lib: ["es2022", "dom"] });
});

test("tsc accepts a Worker passing its KVNamespace binding (@cloudflare/workers-types)", () => {
  tsc("workers", ["ok.ts", "ok-workers.ts"], { types: ["@cloudflare/workers-types"] });
});

test("tsc accepts a Medusa project's use of edge-auth/medusa (its own types, no Medusa installed)", () => {
  tsc("medusa", ["ok-medusa.ts"]);
});

// Medusa 2.21's module loader resolves `resolve: "edge-auth/medusa"` with require.resolve from the project
// and loads it with require (CommonJS), then reads `default ?? module`.
for (const node of nodes()) {
  test(`edge-auth/medusa loads as Medusa's loader loads it, without Medusa installed (${node})`, () => {
    const script = `
      const path = require.resolve("edge-auth/medusa", { paths: [process.cwd()] });
      const loaded = require(path);
      const def = loaded.default ?? loaded;
      let message;
      try { new def.service({}, {}); } catch (e) { message = e.message; }
      console.log(JSON.stringify({
        file: require("node:path").basename(path),
        service: typeof def.service,
        loaders: def.loaders.length,
        medusaError: loaded.MedusaError.isMedusaError(new loaded.MedusaError("not_found", "x")),
        message,
      }));
    `;
    const output = run(node, ["--input-type=commonjs", "-e", script]);
    assert.deepEqual(JSON.parse(output.trim().split("\n").at(-1)), {
      file: "medusa.cjs",
      service: "function",
      loaders: 1,
      medusaError: true,
      message:
        'edge-auth/medusa: the option "url" is required: the Worker\'s base URL, e.g. url: process.env.EDGE_AUTH_URL (https://auth.example.com)',
    });
  });
}

test("tsc refuses bad.ts with exactly the marked errors", () => {
  const output = tsc("bad", ["bad.ts"], { expectFailure: true });
  const reported = new Set(
    [...output.matchAll(/^types\/bad\.ts\((\d+),\d+\): error (TS\d+):/gm)].map(([, line, code]) => `${line} ${code}`),
  );
  const expected = new Set(
    readFileSync(join(HERE, "consumer", "types", "bad.ts"), "utf8")
      .split("\n")
      .flatMap((text, i) => [...text.matchAll(/\/\/ error (TS\d+)/g)].map(([, code]) => `${i + 1} ${code}`)),
  );
  assert.ok(expected.size >= 20, "bad.ts marks its errors");
  const missing = [...expected].filter((e) => !reported.has(e));
  const unexpected = [...reported].filter((r) => !expected.has(r));
  assert.deepEqual({ missing, unexpected }, { missing: [], unexpected: [] }, output);
});

// ---- A JavaScript Worker in workerd --------------------------------------------------------------------

/** Bundles `main` (default consumer/worker.mjs) with wrangler (conditions workerd/worker) into `outdir`. */
function bundleWorker({ main = "worker.mjs", config = "wrangler.toml", outdir = "dist" } = {}) {
  writeFileSync(
    join(project, config),
    [
      'name = "edge-auth-consumer"',
      `main = "${main}"`,
      `compatibility_date = "${compatibilityDate()}"`,
      "[[kv_namespaces]]",
      'binding = "AUTH_KV"',
      'id = "edge-auth-consumer-test"',
      "",
    ].join("\n"),
  );
  const wrangler = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  run(process.execPath, [wrangler, "deploy", "--dry-run", "--config", config, "--outdir", outdir], {
    env: {
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_LOG_PATH: join(project, "wrangler-logs"),
    },
  });
  return join(project, outdir);
}

async function startWorker(dist, iterations, vars = {}, script = "worker.js") {
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    modulesRoot: dist,
    scriptPath: join(dist, script),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: compatibilityDate(),
    kvNamespaces: ["AUTH_KV"],
    bindings: { PBKDF2_ITERATIONS: String(iterations), ...vars },
  });
  // A Miniflare that fails to start still holds its loopback server: dispose of it, or the run hangs.
  await mf.ready.catch(async (e) => {
    await mf.dispose();
    throw e;
  });
  const post = async (path, body) => {
    const response = await mf.dispatchFetch(`https://consumer.test${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  };
  return { mf, post };
}

test("a JS Worker using the package runs in workerd (Miniflare) with a real KV binding as its store", async (t) => {
  const dist = bundleWorker();
  const bundle = readFileSync(join(dist, "worker.js"), "utf8");
  assert.doesNotMatch(bundle, /node:fs|readFileSync/, "wrangler picked the node entry instead of workerd.js");
  assert.ok(readdirSync(dist).some((f) => f.endsWith(".wasm")), "the .wasm is a module of its own");

  const { mf, post } = await startWorker(dist, 1000);
  try {
    const email = "worker@example.com";
    const registered = await post("/register", { email, password: "supersecret" });
    assert.equal(registered.json.success, true, JSON.stringify(registered.json));
    const id = registered.json.authIdentity.id;

    const kv = await mf.getKVNamespace("AUTH_KV");
    const record = await kv.get(`ai:${id}`);
    assert.match(record, /"\$pbkdf2-sha256\$i=1000,/, "the identity is in the KV namespace");

    const ok = await post("/authenticate", { email, password: "supersecret" });
    assert.equal(ok.json.success, true);
    assert.equal(ok.json.authIdentity.id, id);
    const wrong = await post("/authenticate", { email, password: "not-the-password" });
    assert.deepEqual(wrong.json, { success: false, error: "Invalid email or password" });

    const updated = await post("/update", { entity_id: email, password: "new-secret-1" });
    assert.equal(updated.json.success, true);
    assert.equal((await post("/authenticate", { email, password: "supersecret" })).json.success, false);
    assert.equal((await post("/authenticate", { email, password: "new-secret-1" })).json.success, true);

    const missing = await mf.dispatchFetch("https://consumer.test/identity?id=authid_missing");
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { code: "NOT_FOUND", message: "AuthIdentity with id: authid_missing was not found" });

    const misuse = (await mf.dispatchFetch("https://consumer.test/misuse")).json();
    const { threw, isEdgeAuthError, code } = await misuse;
    assert.deepEqual({ threw, isEdgeAuthError, code }, { threw: true, isEdgeAuthError: true, code: "INVALID_ARGUMENT" });
  } finally {
    await mf.dispose();
  }

  // The same Worker at the real work factor: one register, timed from outside (Workers freeze clocks
  // during computation).
  const timed = await startWorker(dist, 600000);
  try {
    const ms = [];
    for (const email of ["first@example.com", "second@example.com"]) {
      const started = performance.now();
      const { json } = await timed.post("/register", { email, password: "supersecret" });
      ms.push(Math.round(performance.now() - started));
      assert.equal(json.success, true);
    }
    t.diagnostic(`edge-auth: one emailpass register at 600,000 PBKDF2 iterations took ${ms[0]} ms (first), ${ms[1]} ms (second) in workerd (Miniflare, request round trip)`);
  } finally {
    await timed.mf.dispose();
  }
});

// ---- The README's Medusa /auth/* Worker in workerd -----------------------------------------------------

/** The README's Worker, exactly as printed: the one ```js block that starts with its file comment. */
function readmeWorker() {
  const readme = readFileSync(join(ROOT, "npm", "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```js\n(\/\/ src\/index\.js: Medusa's \/auth\/\* routes[^\n]*\n[\s\S]*?)```/g)];
  assert.equal(blocks.length, 1, "npm/README.md has one Worker example for Medusa's /auth/* routes");
  return blocks[0][1];
}

test("the README's Worker answers Medusa's /auth/* routes in workerd with the package alone", async (t) => {
  writeFileSync(join(project, "medusa-worker.js"), readmeWorker());
  const dist = bundleWorker({ main: "medusa-worker.js", config: "wrangler.medusa.toml", outdir: "dist-medusa" });
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const { mf } = await startWorker(dist, 1000, {
    JWT_SECRET: "readme-worker-secret-0123456789abcdef",
    RATE_LIMITS: JSON.stringify({ authenticate: { identifier: { limit: 3, window: "1m" } } }),
    SESSION_TTL: "2h",
    RESET_PASSWORD_WEBHOOK_URL: receiver.url,
    RESET_PASSWORD_WEBHOOK_SECRET: WEBHOOK_SECRET,
  }, "medusa-worker.js");
  t.after(() => mf.dispose());

  /** One request; `token` goes in Authorization, `cookie` in Cookie. */
  const call = async (method, path, { body, token, cookie } = {}) => {
    const headers = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (cookie !== undefined) headers.cookie = cookie;
    const response = await mf.dispatchFetch(`https://consumer.test${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  };
  const expect = (answer, status, json) => assert.deepEqual({ status: answer.status, json: answer.json }, { status, json });
  const UNAUTHORIZED = { message: "Unauthorized" };
  const claimsOf = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url"));
  const email = "readme@example.com";
  const login = (password) => call("POST", "/auth/customer/emailpass", { body: { email, password } });

  // Register and sign in.
  const registered = await call("POST", "/auth/customer/emailpass/register", { body: { email, password: "first password" } });
  assert.equal(registered.status, 200, JSON.stringify(registered.json));
  assert.equal(registered.headers.get("cache-control"), "no-store");
  const { auth_identity_id: id, actor_id, actor_type } = claimsOf(registered.json.token);
  assert.deepEqual({ actor_id, actor_type }, { actor_id: "", actor_type: "customer" });
  expect(await call("POST", "/auth/customer/emailpass/register", { body: { email, password: "other password" } }), 401, {
    type: "unauthorized",
    message: "Identity with email already exists",
  });
  const signedIn = await login("first password");
  assert.equal(signedIn.status, 200);
  expect(await login("wrong password"), 401, { type: "unauthorized", message: "Invalid email or password" });

  // Medusa's path checks, methods and unknown routes.
  expect(await call("POST", "/auth/admin/emailpass", { body: {} }), 400, { type: "invalid_data", message: "Unknown actor type: admin" });
  expect(await call("POST", "/auth/customer/google", { body: {} }), 400, {
    type: "not_allowed",
    message: "The actor type customer is not allowed to use the auth provider google",
  });
  const get = await call("GET", "/auth/token/refresh");
  expect(get, 405, { type: "not_allowed", message: "Method not allowed; use POST" });
  assert.equal(get.headers.get("allow"), "POST");
  expect(await call("GET", "/auth/nothing"), 404, { type: "not_found", message: "Route not found: GET /auth/nothing" });
  expect(await call("POST", "/auth/customer/emailpass/callback", { body: {} }), 401, {
    type: "unauthorized",
    message: "Callback authentication not implemented for provider emailpass",
  });

  // The app links its customer (Medusa does this after creating one); refresh then carries the actor.
  const kv = await mf.getKVNamespace("AUTH_KV");
  const record = JSON.parse(await kv.get(`ai:${id}`));
  await kv.put(`ai:${id}`, JSON.stringify({ ...record, app_metadata: { customer_id: "cus_readme" } }));
  expect(await call("POST", "/auth/token/refresh"), 401, UNAUTHORIZED);
  const refreshed = await call("POST", "/auth/token/refresh", { token: signedIn.json.token });
  assert.equal(refreshed.status, 200);
  assert.equal(claimsOf(refreshed.json.token).actor_id, "cus_readme");

  // Sessions.
  expect(await call("POST", "/auth/session"), 401, UNAUTHORIZED);
  // A token without an actor opens a session (Medusa's allowUnregistered).
  const unregistered = await call("POST", "/auth/session", { token: signedIn.json.token });
  assert.equal(unregistered.status, 200);
  assert.equal(unregistered.json.user.actor_id, "");
  const opened = await call("POST", "/auth/session", { token: refreshed.json.token });
  const user = {
    actor_id: "cus_readme",
    actor_type: "customer",
    auth_identity_id: id,
    auth_provider: "emailpass",
    mfa_enabled: false,
    mfa_challenge_completed_at: null,
    app_metadata: { customer_id: "cus_readme" },
    user_metadata: {},
  };
  expect(opened, 200, { user });
  const setCookie = opened.headers.get("set-cookie");
  assert.match(setCookie, /^__Host-connect\.sid=[\w-]{43}; Max-Age=7200; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
  const cookie = setCookie.split(";")[0];
  expect(await call("GET", "/auth/session", { cookie }), 200, { user });
  const closed = await call("DELETE", "/auth/session", { cookie });
  expect(closed, 200, { success: true });
  assert.match(closed.headers.get("set-cookie"), /^__Host-connect\.sid=; Max-Age=0;/);
  expect(await call("GET", "/auth/session", { cookie }), 401, UNAUTHORIZED);
  expect(await call("DELETE", "/auth/session", { cookie }), 401, UNAUTHORIZED);
  const kept = (await call("POST", "/auth/session", { token: refreshed.json.token })).headers.get("set-cookie").split(";")[0];

  // Change password: the current one proven, earlier tokens and sessions void.
  const change = (token, current_password, password) =>
    call("POST", "/auth/customer/emailpass/change-password", { token, body: { current_password, password } });
  expect(await change(refreshed.json.token, "not the password", "second password"), 401, {
    type: "unauthorized",
    message: "The current password is not correct",
  });
  expect(await change(refreshed.json.token, undefined, "second password"), 400, {
    type: "invalid_data",
    message: "Invalid request: Field 'current_password' is required",
  });
  const changed = await change(refreshed.json.token, "first password", "second password");
  assert.equal(changed.status, 200, JSON.stringify(changed.json));
  expect(await call("POST", "/auth/token/refresh", { token: refreshed.json.token }), 401, UNAUTHORIZED);
  expect(await call("GET", "/auth/session", { cookie: kept }), 401, UNAUTHORIZED);
  assert.equal((await call("POST", "/auth/token/refresh", { token: changed.json.token })).status, 200);
  assert.equal((await login("second password")).status, 200);

  // A token issued within a second of a password change is dated at the next second
  // (src/account/revocation.rs); a second change in that same second would not void it. Let the second
  // pass, so the reset below must void `changed`.
  await new Promise((resolve) => setTimeout(resolve, 1100));

  // Password reset: 201 for anyone, a signed delivery for a known email, the token used once.
  expect(await call("POST", "/auth/customer/emailpass/reset-password", { body: {} }), 400, {
    type: "invalid_data",
    message: "Invalid request: Field 'identifier' is required",
  });
  expect(await call("POST", "/auth/customer/emailpass/reset-password", { body: { identifier: "nobody@example.com" } }), 201, undefined);
  expect(await call("POST", "/auth/customer/emailpass/reset-password", { body: { identifier: "README@example.com", metadata: "x" } }), 400, {
    type: "invalid_data",
    message: "Invalid request: Expected type: 'object' for field 'metadata', got: 'string'",
  });
  const metadata = { storefront: "readme" };
  expect(await call("POST", "/auth/customer/emailpass/reset-password", { body: { identifier: "README@example.com", metadata } }), 201, undefined);
  const delivery = await receiver.waitFor(1);
  assert.equal(receiver.deliveries.length, 1, "no delivery for an unknown email");
  assert.ok(verifySignature(delivery.headers["x-edge-auth-signature"], delivery.raw), "signed with the webhook secret");
  assert.deepEqual({ ...delivery.json.data, token: undefined }, { entity_id: email, actor_type: "customer", provider: "emailpass", token: undefined, metadata });
  const resetToken = delivery.json.data.token;
  const update = (token, password) => call("POST", "/auth/customer/emailpass/update", { token, body: { password } });
  expect(await update(resetToken, "short"), 401, { type: "unauthorized", message: "Password must be at least 8 characters" });
  expect(await update(resetToken, "third password"), 200, { success: true });
  expect(await update(resetToken, "fourth password"), 401, { type: "unauthorized", message: "Invalid token" });
  expect(await update(changed.json.token, "fourth password"), 401, { type: "unauthorized", message: "Invalid token" });
  expect(await call("POST", "/auth/token/refresh", { token: changed.json.token }), 401, UNAUTHORIZED);
  assert.equal((await login("third password")).status, 200);

  // Rate limits: 3 sign-ins per minute per email here (RATE_LIMITS), then 429 with retry-after.
  for (let i = 0; i < 3; i++) assert.equal((await login("wrong again")).status, 401);
  const limited = await login("third password");
  assert.equal(limited.status, 429);
  assert.equal(limited.json.type, "not_allowed");
  assert.match(limited.json.message, /^Too many requests; try again in \d+ seconds$/);
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
});

// ---- The browser entry in headless Chromium ------------------------------------------------------------

const MIME = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };

/**
 * Serves the consumer project over HTTP (module scripts and wasm streaming need http, not file:); the
 * page posts its report to /report, which resolves `report`.
 */
async function serveProject() {
  let deliver;
  const report = new Promise((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (req.method === "POST" && path === "/report") {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        res.writeHead(204).end();
        deliver(JSON.parse(body));
      });
      return;
    }
    const file = join(project, path);
    if (!file.startsWith(project) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, report };
}

/** Removes a browser profile; a helper still writing to it only delays removal, never fails the test. */
async function removeProfile(t, profile) {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      rmSync(profile, { recursive: true, force: true });
      return;
    } catch (err) {
      if (err.code !== "ENOTEMPTY" && err.code !== "EBUSY") throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  t.diagnostic(`left the browser profile ${profile} behind: a helper process kept writing to it`);
}

test("the browser entry works in headless Chromium, loaded from the installed package", async (t) => {
  const chromium = ["chromium", "chromium-browser", "google-chrome"].find(
    (c) => spawnSync(c, ["--version"], { encoding: "utf8" }).status === 0,
  );
  assert.ok(chromium, "no Chromium on PATH: run scripts/setup.sh --test");
  const { server, report: reported } = await serveProject();
  const profile = mkdtempSync(join(tmpdir(), "edge-auth-chromium-"));
  // Real time, not --virtual-time-budget: the page times a register and virtual clocks would read 0.
  const browser = spawn(chromium, [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    `--user-data-dir=${profile}`,
    `http://127.0.0.1:${server.address().port}/browser/index.html`,
  ], { stdio: "ignore", detached: true }); // its own process group, so its helpers die with it
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("the page sent no report in 60 s")), 60_000).unref());
    const report = await Promise.race([reported, timeout]);
    assert.equal(report.exception, undefined, report.exception);
    assert.equal(report.register.success, true);
    assert.equal(report.authenticate.authIdentity.id, report.register.authIdentity.id);
    assert.deepEqual(report.wrong, { success: false, error: "Invalid email or password" });
    assert.equal(report.update.success, true);
    assert.deepEqual(report.google, { success: false, error: "\nUnable to retrieve the auth provider with id: google\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file." });
    assert.deepEqual(report.misuse, { isEdgeAuthError: true, code: "INVALID_ARGUMENT" });
    assert.equal(report.timed, true);
    t.diagnostic(`edge-auth: one emailpass register at 600,000 PBKDF2 iterations took ${report.ms[0]} ms (first), ${report.ms[1]} ms (second) in ${report.userAgent}`);
  } finally {
    const exited = new Promise((resolve) => (browser.exitCode !== null ? resolve() : browser.once("exit", resolve)));
    // Chromium's renderer and crashpad helpers outlive the main process and keep writing to the
    // profile for a moment: kill the whole group, then retry the removal while they wind down.
    try { process.kill(-browser.pid, "SIGKILL"); } catch { browser.kill("SIGKILL"); }
    await exited;
    server.close();
    await removeProfile(t, profile);
  }
});
