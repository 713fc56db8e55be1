// Latency and load of the built Worker in local workerd (Miniflare 4), over real HTTP on 127.0.0.1 only,
// with bounded request counts. Prints markdown tables; exits 1 if any request got a 5xx or failed, or an
// OAuth callback answered anything but 200.
// Run through ./scripts/load.sh, which builds the Worker first.
//
//   node scripts/load.mjs [--quick] [--root DIR] [--only GROUP,...]
//     --quick: fewer requests, for a smoke run
//     --root:  a directory holding worker/entry.mjs and build/worker/ (default: this repository)
//     --only:  just these groups: cold, refresh, login, oauth, mfa, verification, medusa (default: all)
//
// What it measures, and how:
// - cold start: from `new Miniflare()` (spawning workerd, which compiles the wasm and evaluates the entry
//   module, i.e. instantiates the wasm, at startup) to the first HTTP response; also V8's compile time of
//   the wasm alone, in this Node.
// - per scenario: one Worker (one isolate) with the scenario's vars; first a sequential pass (concurrency 1)
//   giving the wall time per request and the CPU time per request, the latter read from the workerd
//   process's utime+stime in /proc (10 ms ticks, so it is averaged over the whole pass); then a load pass
//   at a fixed concurrency giving p50/p99, throughput and status counts.
// - memory of the Worker's isolate, which Workers' 128 MB limit applies to: its wasm linear memory (grows
//   to the high-water mark, never shrinks) and its V8 JS heap (used and reserved), read through the V8
//   inspector workerd serves on 127.0.0.1, after the c=1 pass and after the load pass. (The workerd
//   process's RSS also holds the runtime, KV and the loopback machinery, so it is not the isolate's.)
// - OAuth callbacks (no KDF), in Medusa's JSON mode, against the test fixtures on 127.0.0.1: the GitHub fake
//   (tests/fixtures/oauth/github-fake.mjs; code exchange, /user and /user/emails) and the real OpenID
//   Provider (op.mjs, npm oidc-provider; code exchange and an RS256 id_token checked against its JWKS). For
//   every request the authenticate step (GET /auth/customer/<id> → {location} with state) and the provider's
//   authorize step (→ code) run beforehand, untimed, and each code/state is used once; only
//   GET /auth/customer/<id>/callback?code&state is timed. The OP asks for login and consent once, then its
//   session cookie makes every further code a single redirect. The providers run in this Node process, so
//   their answers are part of the wall time but not of workerd's CPU time.
// - the paths issues 11 and 13 added, at PBKDF2 100,000 (compare with that login row of the same run): a
//   sign-in that owes an MFA challenge (answers the challenge instead of the token) and the challenge
//   answered with a recovery code; a sign-in that owes an email verification, a code requested (delivered
//   to a webhook receiver in this process) and confirmed; a Medusa scrypt-kdf hash (logN 15, r 8, p 1,
//   written into KV as the import leaves it) refused for a wrong password and signed in the first time
//   (scrypt, then the re-hash). Requests that each need their own single-use code or a fresh identity run
//   once per item at concurrency 1 only.

import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { freePort, inspect } from "./isolate-inspector.mjs";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    root: { type: "string", default: REPO_ROOT },
    only: { type: "string" },
  },
});
const QUICK = args.quick;
// --only cold,refresh,login,oauth,mfa,verification,medusa: just those groups of scenarios.
const GROUPS = ["cold", "refresh", "login", "oauth", "mfa", "verification", "medusa"];
const ONLY = args.only?.split(",");
for (const group of ONLY ?? []) {
  if (!GROUPS.includes(group)) throw new Error(`--only: unknown group ${group}; the groups are ${GROUPS.join(",")}`);
}
const wants = (group) => !ONLY || ONLY.includes(group);
const WORKER_ROOT = args.root;

const JWT_SECRET = "load-test-secret-0123456789abcdef0123456789";
const PASSWORD = "correct horse battery staple";
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

const compatibilityDate = /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(
  readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8"),
)[1];

function workerOptions(vars) {
  return {
    host: "127.0.0.1",
    port: 0,
    rootPath: WORKER_ROOT,
    modules: true,
    modulesRoot: WORKER_ROOT,
    scriptPath: "worker/entry.mjs",
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate,
    kvNamespaces: ["AUTH_KV"],
    // The guard Durable Object, bound as wrangler.toml binds it.
    durableObjects: { AUTH_GUARD: { className: "AuthGuard", useSQLite: true } },
    // One client hammering one email is exactly what the rate limits stop: turned off here, since this
    // measures the Worker's own cost (tests/worker/rate-limit.test.mjs covers the limits).
    bindings: { ENVIRONMENT: "production", JWT_SECRET, RATE_LIMITS: "off", ...vars },
  };
}

// --- the workerd process, from /proc ---------------------------------------------------------------------

function childWorkerdPids() {
  const pids = [];
  for (const entry of readdirSafe("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readSafe(`/proc/${entry}/stat`);
    if (!stat) continue;
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === process.pid && comm.startsWith("workerd")) pids.push(Number(entry));
  }
  return pids;
}

function readdirSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readSafe(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** utime + stime of the process, in ms. */
function cpuMs(pid) {
  const stat = readSafe(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

// --- a Worker and requests to it ---------------------------------------------------------------------------

async function startWorker(vars, { inspectorPort } = {}) {
  const before = new Set(childWorkerdPids());
  const started = performance.now();
  const mf = new Miniflare({ ...workerOptions(vars), ...(inspectorPort ? { inspectorPort } : {}) });
  const url = await mf.ready;
  const ready = performance.now();
  const first = await fetch(new URL("/auth/token/refresh", url), { method: "POST" });
  await first.arrayBuffer();
  const answered = performance.now();
  const pid = childWorkerdPids().find((p) => !before.has(p));
  return {
    mf,
    url,
    pid,
    inspectorPort,
    coldStart: { toReady: ready - started, toFirstResponse: answered - started, firstStatus: first.status },
  };
}

/** A JSON POST, with `token` as its bearer when given. */
const json = (body, token) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

/** A sign-in request with `body`, for `run`. */
const signIn = (body) => () => ["/auth/customer/emailpass", json(body)];

async function tokenOf(response, what) {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status} ${text}`);
  return JSON.parse(text).token;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const median = (xs) => percentile([...xs].sort((a, b) => a - b), 50);

/** Runs `count` requests, `concurrency` at a time; `request(i)` returns [path, init]. */
async function run(worker, { count, concurrency, request, expect = 200 }) {
  let issued = 0;
  const latencies = [];
  const statuses = {};
  let failures = 0;
  let unexpected = 0;
  const unexpectedSamples = []; // "status body" of the first few answers that were not `expect`
  const cpuBefore = worker.pid ? cpuMs(worker.pid) : NaN;
  const started = performance.now();
  async function client() {
    while (issued < count) {
      const [path, init] = request(issued++);
      const sent = performance.now();
      try {
        const response = await fetch(new URL(path, worker.url), init);
        const body = await response.arrayBuffer();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        if (response.status !== expect) {
          unexpected++;
          if (unexpectedSamples.length < 5) {
            unexpectedSamples.push(`${response.status} ${Buffer.from(body).toString("utf8").slice(0, 300)}`);
          }
        }
      } catch (error) {
        failures++;
        if (unexpectedSamples.length < 5) unexpectedSamples.push(`failed: ${error.message}`);
      }
      latencies.push(performance.now() - sent);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = performance.now() - started;
  const cpu = worker.pid ? cpuMs(worker.pid) - cpuBefore : NaN;
  const sorted = latencies.sort((a, b) => a - b);
  const serverErrors = Object.entries(statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    count,
    concurrency,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
    perSecond: (count / elapsed) * 1000,
    cpuPerRequest: cpu / count,
    statuses,
    unexpected,
    unexpectedSamples,
    failures,
    serverErrors,
  };
}

// --- scenarios ----------------------------------------------------------------------------------------------

const rows = [];
const memoryRows = [];
const parityRows = [];
const oauthRows = []; // { label, passes: [run results, warm-up included] }
let badRequests = 0;

function record(name, sequential, loaded) {
  rows.push({ name, sequential, loaded });
  badRequests += sequential.serverErrors + sequential.failures + loaded.serverErrors + loaded.failures;
}

const credentials = { email: "load@example.com", password: PASSWORD };

async function loginScenario(label, vars, sequentialCount, loadCount, concurrency) {
  const worker = await startWorker(vars, { inspectorPort: await freePort() });
  const isolate = await inspect(worker.inspectorPort);
  try {
    await tokenOf(await fetch(new URL("/auth/customer/emailpass/register", worker.url), json(credentials)), "register");
    await run(worker, { count: 2, concurrency: 1, request: signIn(credentials) }); // warm-up
    const sequential = await run(worker, { count: sequentialCount, concurrency: 1, request: signIn(credentials) });
    const afterSequential = await isolate.memory();
    const loaded = await run(worker, { count: loadCount, concurrency, request: signIn(credentials) });
    const afterLoad = await isolate.memory();
    // Failed logins must cost what a successful one does, or timing tells which emails exist.
    const wrongPassword = await run(worker, {
      count: sequentialCount,
      concurrency: 1,
      request: signIn({ ...credentials, password: "wrong password, same length!" }),
      expect: 401,
    });
    const unknownEmail = await run(worker, {
      count: sequentialCount,
      concurrency: 1,
      request: signIn({ ...credentials, email: "nobody@example.com" }),
      expect: 401,
    });
    record(label, sequential, loaded);
    badRequests += wrongPassword.serverErrors + wrongPassword.failures + unknownEmail.serverErrors + unknownEmail.failures;
    badRequests += wrongPassword.unexpected + unknownEmail.unexpected;
    parityRows.push({ label, ok: sequential.p50, wrongPassword: wrongPassword.p50, unknownEmail: unknownEmail.p50 });
    memoryRows.push({ label, concurrency, afterSequential, afterLoad });
  } finally {
    isolate.close();
    await worker.mf.dispose();
  }
}

// Cold start: a fresh workerd each time.
const coldStarts = [];
for (let i = 0; wants("cold") && i < (QUICK ? 2 : 5); i++) {
  const worker = await startWorker({ PBKDF2_ITERATIONS: "600000" });
  coldStarts.push(worker.coldStart);
  await worker.mf.dispose();
}
const wasmBytes = readFileSync(join(WORKER_ROOT, "build", "worker", "edge_auth_bg.wasm"));
const compileTimes = [];
for (let i = 0; wants("cold") && i < 5; i++) {
  const started = performance.now();
  await WebAssembly.compile(wasmBytes);
  compileTimes.push(performance.now() - started);
}

// Token refresh: no KDF; one KV read and an HS256 signature.
if (wants("refresh")) {
  const worker = await startWorker({ PBKDF2_ITERATIONS: "1000" }, { inspectorPort: await freePort() });
  const isolate = await inspect(worker.inspectorPort);
  try {
    const token = await tokenOf(
      await fetch(new URL("/auth/customer/emailpass/register", worker.url), json(credentials)),
      "register",
    );
    const refresh = () => ["/auth/token/refresh", { method: "POST", headers: { authorization: `Bearer ${token}` } }];
    await run(worker, { count: 200, concurrency: 8, request: refresh }); // warm-up
    const sequential = await run(worker, { count: QUICK ? 200 : 1000, concurrency: 1, request: refresh });
    const afterSequential = await isolate.memory();
    const loaded = await run(worker, { count: QUICK ? 1000 : 5000, concurrency: 32, request: refresh });
    const afterLoad = await isolate.memory();
    record("token refresh (no KDF)", sequential, loaded);
    memoryRows.push({ label: "token refresh", concurrency: 32, afterSequential, afterLoad });
  } finally {
    isolate.close();
    await worker.mf.dispose();
  }
}

// The new paths compare with the 100,000 row, which --only mfa / verification / medusa run too.
const loginIterations = wants("login") ? [100_000, 310_000, 600_000] : ["mfa", "verification", "medusa"].some(wants) ? [100_000] : [];
for (const iterations of loginIterations) {
  const n = QUICK ? 3 : iterations >= 600_000 ? 10 : 15;
  await loginScenario(`login, PBKDF2 ${iterations.toLocaleString("en-US")}`, { PBKDF2_ITERATIONS: String(iterations) }, n, QUICK ? 8 : 40, 8);
}
if (wants("login")) {
  await loginScenario("login, Argon2id m=19456,t=2,p=1", { PASSWORD_HASH: "argon2id" }, QUICK ? 3 : 15, QUICK ? 8 : 40, 20);
}

// OAuth callbacks: no KDF. Where the provider sends the browser back (the frontend's page in JSON mode);
// never loaded, only read for its query.
const frontendCallback = (id) => `https://shop.example/auth/${id}/callback`;
const fixture = (path) => import(pathToFileURL(join(REPO_ROOT, "tests", path)).href);

/**
 * `provider.id`: the route's provider; `provider.vars`: the Worker's vars for it; `provider.authorize(location)`:
 * follows the authenticate answer's location at the provider and returns the URL it sends the browser back
 * to (the frontend callback with code and state); `provider.traffic()`: what the Worker asked the provider,
 * as text, read after the passes.
 */
async function oauthCallbackScenario(label, provider, sequentialCount, loadCount, concurrency) {
  const vars = { AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["emailpass", provider.id] }), ...provider.vars };
  const worker = await startWorker(vars, { inspectorPort: await freePort() });
  const isolate = await inspect(worker.inspectorPort);
  try {
    // One single-use callback path, untimed: the Worker's authenticate step, then the provider's authorize.
    async function prepareOne() {
      const response = await fetch(new URL(`/auth/customer/${provider.id}`, worker.url));
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${label}: authenticate: HTTP ${response.status} ${text}`);
      const back = new URL(await provider.authorize(JSON.parse(text).location));
      if (!back.href.startsWith(`${frontendCallback(provider.id)}?`) || !back.searchParams.get("code")) {
        throw new Error(`${label}: the provider sent the browser to ${back.href}`);
      }
      return `/auth/customer/${provider.id}/callback${back.search}`;
    }
    async function prepare(count) {
      const paths = new Array(count);
      let next = 0;
      const preparer = async () => {
        while (next < count) {
          const i = next++;
          paths[i] = await prepareOne();
        }
      };
      await Promise.all(Array.from({ length: Math.min(8, count) }, preparer));
      return paths;
    }
    const callbacks = (paths) => (i) => [paths[i], {}];
    const pass = async (count, c) => run(worker, { count, concurrency: c, request: callbacks(await prepare(count)) });
    // Warm-up: the first sign-in creates the identity; the OIDC provider's metadata and JWKS get cached.
    const warmUp = await pass(5, 1);
    const sequential = await pass(sequentialCount, 1);
    const afterSequential = await isolate.memory();
    const loaded = await pass(loadCount, concurrency);
    const afterLoad = await isolate.memory();
    record(label, sequential, loaded);
    badRequests += warmUp.serverErrors + warmUp.failures;
    oauthRows.push({ label, passes: [warmUp, sequential, loaded], traffic: provider.traffic() });
    memoryRows.push({ label, concurrency, afterSequential, afterLoad });
  } finally {
    isolate.close();
    await worker.mf.dispose();
  }
}

const oauthCounts = [QUICK ? 20 : 200, QUICK ? 100 : 500, 16];
if (wants("oauth")) {
  const { startGithubFake } = await fixture("fixtures/oauth/github-fake.mjs");
  const github = await startGithubFake({
    clientId: "load-gh-client",
    clientSecret: "load-gh-secret",
    redirectUris: [frontendCallback("github")],
  });
  try {
    await oauthCallbackScenario(
      "OAuth callback (GitHub, JSON mode)",
      {
        id: "github",
        vars: {
          GITHUB_CLIENT_ID: "load-gh-client",
          GITHUB_CLIENT_SECRET: "load-gh-secret",
          GITHUB_CALLBACK_URL: frontendCallback("github"),
          GITHUB_AUTHORIZATION_URL: github.authorizeUrl,
          GITHUB_TOKEN_URL: github.tokenUrl,
          GITHUB_API_URL: github.apiUrl,
        },
        // The fake signs in at once: 302 back with code and state.
        async authorize(location) {
          const response = await fetch(location, { redirect: "manual" });
          await response.arrayBuffer();
          if (response.status !== 302) throw new Error(`GitHub fake authorize: HTTP ${response.status}`);
          return response.headers.get("location");
        },
        traffic() {
          const n = (path) => github.seen.filter((s) => s.path === path).length;
          return `${n("/login/oauth/access_token")} token, ${n("/api/user")} /user, ${n("/api/user/emails")} /user/emails`;
        },
      },
      ...oauthCounts,
    );
  } finally {
    await github.close();
  }
}
if (wants("oauth")) {
  const { startOp } = await fixture("fixtures/oauth/op.mjs");
  const { Browser } = await fixture("worker/oauth-browser.mjs");
  const op = await startOp({ redirectUris: [frontendCallback("corp")] });
  try {
    // One browser for every code: login and consent on the first, then the OP's session answers each
    // authorize request with the redirect at once.
    const browser = new Browser(null, { isFrontend: (url) => url.startsWith(frontendCallback("corp")) });
    let signedIn;
    await oauthCallbackScenario(
      "OAuth callback (OIDC, RS256 id_token, JSON mode)",
      {
        id: "corp",
        vars: {
          OIDC_PROVIDERS: JSON.stringify([
            { id: "corp", issuer: op.issuer, clientId: "edge-oidc", callbackUrl: frontendCallback("corp") },
          ]),
          OIDC_CORP_CLIENT_SECRET: "edge-oidc-secret",
        },
        // The first navigation (login and consent) finishes before any other starts.
        async authorize(location) {
          if (!signedIn) {
            signedIn = browser.navigate(location);
            return (await signedIn).url;
          }
          await signedIn;
          return (await browser.navigate(location)).url;
        },
        traffic() {
          const n = (path) => op.requestsTo(path);
          return `${n("/token")} token, ${n("/jwks")} jwks, ${n("/.well-known/openid-configuration")} discovery`;
        },
      },
      ...oauthCounts,
    );
  } finally {
    await op.close();
  }
}

// --- the paths issues 11 and 13 added (MFA, email verification, Medusa's scrypt hashes) ----------------------

const NEW_PATHS_ITERATIONS = "100000";
const ADMIN_SECRET = "load-test-admin-0123456789abcdef0123456789";
const MFA_KEY = "load-test-mfa-key-0123456789abcdef01234567";

/** POSTs `body` as JSON and returns the answer's JSON, or throws naming `what` unless `expect` came back. */
async function postJson(worker, path, body, { token, expect = 200, what = path } = {}) {
  const response = await fetch(new URL(path, worker.url), json(body, token));
  const text = await response.text();
  if (response.status !== expect) throw new Error(`${what}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, computed here independently of the Worker. */
function totp(secretBase32, unixSecs) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretBase32.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSecs / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/**
 * One Worker with `vars`, the isolate inspected. `body(worker, memoryAfterPass)` returns its rows' run
 * results as `{name: [sequential, loaded?]}` and calls `memoryAfterPass()` after its c=1 pass; the memory
 * row is that reading and one after the last pass.
 */
async function newPathScenario(label, vars, body) {
  const worker = await startWorker({ PBKDF2_ITERATIONS: NEW_PATHS_ITERATIONS, ADMIN_SECRET, ...vars }, { inspectorPort: await freePort() });
  const isolate = await inspect(worker.inspectorPort);
  try {
    let afterFirstPass;
    const results = await body(worker, async () => {
      afterFirstPass = await isolate.memory();
    });
    for (const [name, passes] of Object.entries(results)) {
      for (const sample of passes.flatMap((p) => p.unexpectedSamples)) console.error(`${name}: ${sample}`);
    }
    for (const [name, [sequential, loaded]] of Object.entries(results)) {
      if (loaded) record(name, sequential, loaded);
      else onceRows.push({ name, sequential });
      badRequests += sequential.serverErrors + sequential.failures + sequential.unexpected;
      if (loaded) badRequests += loaded.unexpected;
    }
    const afterLoad = await isolate.memory();
    memoryRows.push({ label, concurrency: 8, afterSequential: afterFirstPass ?? afterLoad, afterLoad });
  } finally {
    isolate.close();
    await worker.mf.dispose();
  }
}

const onceRows = []; // requests that each need their own code or identity: c=1, one per item
// `once` stays within the 10 verification confirmations per client address per 15 minutes (not a RATE_LIMITS counter).
const newPathCounts = { sequential: QUICK ? 3 : 15, load: QUICK ? 8 : 40, once: QUICK ? 3 : 10 };
if (wants("mfa")) {
  await newPathScenario("MFA (TOTP factor enabled)", { MFA_ENCRYPTION_KEY: MFA_KEY }, async (worker, memoryAfterPass) => {
    const email = "mfa@example.com";
    const token = (await postJson(worker, "/auth/customer/emailpass/register", { email, password: PASSWORD })).token;
    const started = await postJson(worker, "/auth/mfa/factors", { provider: "totp" }, { token });
    const code = totp(started.secret, Date.now() / 1000);
    await postJson(worker, `/auth/mfa/factors/${started.mfa_factor.id}/verify`, { code }, { token });
    const { recovery_codes: codes } = await postJson(worker, "/auth/mfa/recovery-codes", { count: 50 }, { token });
    const credentials = { email, password: PASSWORD };
    const first = await postJson(worker, "/auth/customer/emailpass", credentials);
    if (first.mfa_required !== true) throw new Error(`MFA sign-in answered ${JSON.stringify(first)}`);
    await run(worker, { count: 2, concurrency: 1, request: signIn(credentials) }); // warm-up
    const sequential = await run(worker, { count: newPathCounts.sequential, concurrency: 1, request: signIn(credentials) });
    await memoryAfterPass();
    const loaded = await run(worker, { count: newPathCounts.load, concurrency: 8, request: signIn(credentials) });
    // Each answer needs its own challenge (a sign-in, untimed) and its own single-use recovery code.
    const challenges = [];
    for (let i = 0; i < newPathCounts.once; i++) challenges.push(await postJson(worker, "/auth/customer/emailpass", credentials));
    const answered = await run(worker, {
      count: newPathCounts.once,
      concurrency: 1,
      request: (i) => [
        `/auth/mfa/challenges/${challenges[i].mfa_challenge.id}/verify`,
        json({ method: "recovery_code", code: codes[i] }, challenges[i].token),
      ],
    });
    return {
      [`sign-in owing an MFA challenge, PBKDF2 ${Number(NEW_PATHS_ITERATIONS).toLocaleString("en-US")}`]: [sequential, loaded],
      "MFA challenge answered with a recovery code": [answered],
    };
  });
}

if (wants("verification")) {
  // The codes go to RESET_PASSWORD_WEBHOOK_URL: a receiver here, on 127.0.0.1.
  const delivered = new Map(); // entity_id → code
  const receiver = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const { data } = JSON.parse(text);
      delivered.set(data.entity_id, data.code);
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  try {
    const vars = {
      AUTH_VERIFICATIONS_PER_ACTOR: JSON.stringify({ customer: [{ entity_type: "email", auth_provider: "emailpass" }] }),
      RESET_PASSWORD_WEBHOOK_URL: `http://127.0.0.1:${receiver.address().port}/hook`,
      RESET_PASSWORD_WEBHOOK_SECRET: "load-test-webhook-0123456789abcdef0123456789",
    };
    await newPathScenario("email verification", vars, async (worker, memoryAfterPass) => {
      const credentials = { email: "verify@example.com", password: PASSWORD };
      await postJson(worker, "/auth/customer/emailpass/register", credentials);
      const first = await postJson(worker, "/auth/customer/emailpass", credentials);
      if (first.verification_required !== true) throw new Error(`sign-in answered ${JSON.stringify(first)}`);
      await run(worker, { count: 2, concurrency: 1, request: signIn(credentials) }); // warm-up
      const sequential = await run(worker, { count: newPathCounts.sequential, concurrency: 1, request: signIn(credentials) });
      await memoryAfterPass();
      const loaded = await run(worker, { count: newPathCounts.load, concurrency: 8, request: signIn(credentials) });
      // One identity per code (at most 5 codes per identity per 15 minutes), registered untimed.
      const people = [];
      for (let i = 0; i < newPathCounts.once; i++) {
        const email = `verify${i}@example.com`;
        const { token } = await postJson(worker, "/auth/customer/emailpass/register", { email, password: PASSWORD });
        people.push({ email, token });
      }
      const requested = await run(worker, {
        count: people.length,
        concurrency: 1,
        expect: 201,
        request: (i) => [
          "/auth/verification/request",
          json({ entity_id: people[i].email, entity_type: "email" }, people[i].token),
        ],
      });
      const deadline = Date.now() + 10_000;
      while (delivered.size < people.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (delivered.size < people.length) throw new Error(`${delivered.size} of ${people.length} verification codes delivered`);
      const confirmed = await run(worker, {
        count: people.length,
        concurrency: 1,
        request: (i) => ["/auth/verification/confirm", json({ code: delivered.get(people[i].email) })],
      });
      return {
        [`sign-in owing an email verification, PBKDF2 ${Number(NEW_PATHS_ITERATIONS).toLocaleString("en-US")}`]: [sequential, loaded],
        "verification code requested (delivered to the webhook after the answer)": [requested],
        "verification code confirmed": [confirmed],
      };
    });
  } finally {
    receiver.close();
  }
}

if (wants("medusa")) {
  const fixtures = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/medusa/scrypt-kdf.json"), "utf8")).hashes;
  const medusa = fixtures.find((c) => c.logN === 15 && c.r === 8 && c.p === 1);
  await newPathScenario("Medusa scrypt hashes (logN 15, r 8, p 1)", {}, async (worker, memoryAfterPass) => {
    const kv = await worker.mf.getKVNamespace("AUTH_KV");
    // As the import leaves an identity: its record and its two indexes.
    const seed = async (n, email) => {
      const id = `authid_01JLOAD${String(n).padStart(19, "0")}`;
      const pid = `provid_01JLOAD${String(n).padStart(19, "0")}`;
      const provider = { id: pid, entity_id: email, provider: "emailpass", auth_identity_id: id, user_metadata: null, provider_metadata: { password: medusa.hash } };
      await kv.put(`ai:${id}`, JSON.stringify({ id, app_metadata: { customer_id: `cus_${n}` }, provider_identities: [provider] }));
      await kv.put(`pi:emailpass:${email}`, id);
      await kv.put(`pid:${pid}`, id);
    };
    await seed(0, "shopper@example.com");
    const wrong = signIn({ email: "shopper@example.com", password: "wrong password, same length!" });
    await run(worker, { count: 2, concurrency: 1, request: wrong, expect: 401 }); // warm-up
    const sequential = await run(worker, { count: newPathCounts.sequential, concurrency: 1, request: wrong, expect: 401 });
    await memoryAfterPass();
    const loaded = await run(worker, { count: newPathCounts.load, concurrency: 8, request: wrong, expect: 401 });
    const emails = Array.from({ length: newPathCounts.once }, (_, i) => `first${i}@example.com`);
    for (const [i, email] of emails.entries()) await seed(i + 1, email);
    const first = await run(worker, {
      count: emails.length,
      concurrency: 1,
      request: (i) => ["/auth/customer/emailpass", json({ email: emails[i], password: medusa.password })],
    });
    return {
      "wrong password against a Medusa scrypt hash (scrypt only)": [sequential, loaded],
      [`first sign-in with a Medusa scrypt hash (scrypt, then the re-hash at PBKDF2 ${Number(NEW_PATHS_ITERATIONS).toLocaleString("en-US")})`]: [first],
    };
  });
}

// --- report --------------------------------------------------------------------------------------------------

const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const statusText = (s) =>
  Object.entries(s)
    .map(([k, v]) => `${v}×${k}`)
    .join(", ");

console.log(`edge-auth Worker in local workerd (Miniflare ${await miniflareVersion()}), loopback HTTP, Node ${process.versions.node}`);
console.log("");
if (coldStarts.length) {
  console.log("Cold start (fresh workerd: spawn, compile the wasm, instantiate it, first request):");
  console.log("");
  console.log("| measure | median ms | runs |");
  console.log("|---|---:|---:|");
  console.log(`| new Miniflare() → ready (workerd up, Worker loaded) | ${ms(median(coldStarts.map((c) => c.toReady)))} | ${coldStarts.length} |`);
  console.log(`| new Miniflare() → first response | ${ms(median(coldStarts.map((c) => c.toFirstResponse)))} | ${coldStarts.length} |`);
  console.log(`| ready → first response | ${ms(median(coldStarts.map((c) => c.toFirstResponse - c.toReady)))} | ${coldStarts.length} |`);
  console.log(`| V8 compile of the ${(wasmBytes.length / 1024).toFixed(0)} KiB wasm alone (Node) | ${ms(median(compileTimes))} | ${compileTimes.length} |`);
  console.log("");
}
console.log("Latency and load (one Worker isolate per row; CPU = workerd process CPU time ÷ requests):");
console.log("");
console.log("| scenario | wall ms/req at c=1 (median) | CPU ms/req at c=1 | load: requests @ concurrency | p50 ms | p99 ms | req/s | statuses | 5xx + failed |");
console.log("|---|---:|---:|---|---:|---:|---:|---|---:|");
for (const { name, sequential: s, loaded: l } of rows) {
  console.log(
    `| ${name} | ${ms(s.p50)} | ${ms(s.cpuPerRequest)} | ${l.count} @ ${l.concurrency} | ${ms(l.p50)} | ${ms(l.p99)} | ` +
      `${l.perSecond.toFixed(1)} | ${statusText(l.statuses)} | ${l.serverErrors + l.failures + s.serverErrors + s.failures} |`,
  );
}
if (onceRows.length) {
  console.log("");
  console.log("Requests that each need their own code or identity (concurrency 1, one per item):");
  console.log("");
  console.log("| scenario | requests | wall ms/req (median) | p99 ms | CPU ms/req | statuses |");
  console.log("|---|---:|---:|---:|---:|---|");
  for (const { name, sequential: s } of onceRows) {
    console.log(`| ${name} | ${s.count} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.cpuPerRequest)} | ${statusText(s.statuses)} |`);
  }
}
console.log("");
console.log("Login timing parity at c=1 (median wall ms; a failed login must cost what a successful one does):");
console.log("");
console.log("| scenario | right password | wrong password | unknown email (dummy KDF) |");
console.log("|---|---:|---:|---:|");
for (const p of parityRows) console.log(`| ${p.label} | ${ms(p.ok)} | ${ms(p.wrongPassword)} | ${ms(p.unknownEmail)} |`);
console.log("");
console.log("Memory of the Worker's isolate (MiB; Workers allow 128 MB per isolate): wasm linear memory, JS heap used / reserved:");
console.log("");
console.log("| scenario | after the c=1 pass: wasm | JS used / reserved | after the load pass (concurrency): wasm | JS used / reserved |");
console.log("|---|---:|---:|---:|---:|");
const mem = (m) => [m.wasm.toFixed(1), `${m.jsUsed.toFixed(1)} / ${m.jsTotal.toFixed(1)}`];
for (const m of memoryRows) {
  const [wasm1, js1] = mem(m.afterSequential);
  const [wasm2, js2] = mem(m.afterLoad);
  console.log(`| ${m.label} | ${wasm1} | ${js1} | (${m.concurrency}) ${wasm2} | ${js2} |`);
}
console.log("");
let oauthNon200 = 0;
const oauthSamples = [];
if (oauthRows.length) {
  console.log("OAuth callbacks (only the callback timed; every pass, warm-up included): statuses and answers other than 200:");
  console.log("");
  console.log("| scenario | callbacks | statuses | non-200 | 5xx + failed | the Worker's requests to the provider |");
  console.log("|---|---:|---|---:|---:|---|");
  for (const { label, passes, traffic } of oauthRows) {
    const statuses = {};
    for (const p of passes) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    const non200 = passes.reduce((sum, p) => sum + p.unexpected + p.failures, 0);
    const bad = passes.reduce((sum, p) => sum + p.serverErrors + p.failures, 0);
    oauthNon200 += non200;
    console.log(`| ${label} | ${passes.reduce((sum, p) => sum + p.count, 0)} | ${statusText(statuses)} | ${non200} | ${bad} | ${traffic} |`);
    for (const sample of passes.flatMap((p) => p.unexpectedSamples).slice(0, 5)) oauthSamples.push(`${label}: ${sample}`);
  }
}
if (oauthSamples.length) {
  console.log("");
  console.log("First answers other than 200:");
  for (const sample of oauthSamples) console.log(`    ${sample}`);
}
console.log("");
console.log(
  badRequests === 0 && oauthNon200 === 0
    ? "zero 5xx, zero failed requests, every OAuth callback 200"
    : `FAIL: ${badRequests} requests got a 5xx or failed; ${oauthNon200} OAuth callbacks answered other than 200`,
);
process.exitCode = badRequests === 0 && oauthNon200 === 0 ? 0 : 1;

async function miniflareVersion() {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", "miniflare", "package.json"), "utf8"));
  return pkg.version;
}
