// What a sign-in with a Medusa (scrypt-kdf) hash costs in the built Worker in local workerd (Miniflare 4):
// wall time over loopback HTTP on 127.0.0.1, and the isolate's wasm memory (the scrypt table lives there;
// Workers allow 128 MB). Numbers go to docs/performance.md#medusa-scrypt-hashes. Build first:
// ./scripts/build-worker.sh.
//
//   node scripts/medusa-login.mjs [--logins 8]
//
// The Worker runs with production settings (PBKDF2 at its default 600,000 iterations; rate limits off, as
// scripts/load.mjs: this measures the Worker's own cost). `--logins` identities are written into its KV as
// an import would leave them, each holding the committed Medusa-default blob (logN 15, r 8, p 1) of
// tests/fixtures/medusa/scrypt-kdf.json; one more holds the logN 16, r 4 blob (the largest logN accepted). Then, each
// a median over the identities: a wrong password (scrypt alone), the first sign-in (scrypt, then the
// re-hash with PBKDF2 in the same write), the second (PBKDF2 alone), and after the hash-cost recount an
// unknown email (the dummy draws scrypt while such hashes are the majority).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { freePort, inspect } from "./isolate-inspector.mjs";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({ options: { logins: { type: "string", default: "8" } } });
const LOGINS = Number(args.logins);
const ADMIN_SECRET = "medusa-login-admin-0123456789abcdef0123";
const fixtures = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/medusa/scrypt-kdf.json"), "utf8")).hashes;
const medusa = fixtures.find((c) => c.logN === 15 && c.r === 8 && c.p === 1);
const largest = fixtures.find((c) => c.logN === 16 && c.accepted);
const compatibilityDate = /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(
  readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8"),
)[1];

const inspectorPort = await freePort();
const mf = new Miniflare({
  host: "127.0.0.1",
  port: 0,
  inspectorPort,
  rootPath: REPO_ROOT,
  modules: true,
  modulesRoot: REPO_ROOT,
  scriptPath: "worker/entry.mjs",
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate,
  kvNamespaces: ["AUTH_KV"],
  durableObjects: { AUTH_GUARD: { className: "AuthGuard", useSQLite: true } },
  bindings: {
    ENVIRONMENT: "production",
    JWT_SECRET: "medusa-login-secret-0123456789abcdef0123456789",
    RATE_LIMITS: "off",
    ADMIN_SECRET,
  },
});
const url = await mf.ready;
const kv = await mf.getKVNamespace("AUTH_KV");
const isolate = await inspect(inspectorPort);

async function seed(n, email, hash) {
  const id = `authid_01JMEDUSA${String(n).padStart(17, "0")}`;
  const pid = `provid_01JMEDUSA${String(n).padStart(17, "0")}`;
  const record = {
    id,
    app_metadata: { customer_id: `cus_${n}` },
    provider_identities: [
      { id: pid, entity_id: email, provider: "emailpass", auth_identity_id: id, user_metadata: null, provider_metadata: { password: hash } },
    ],
  };
  await kv.put(`ai:${id}`, JSON.stringify(record));
  await kv.put(`pi:emailpass:${email}`, id);
  await kv.put(`pid:${pid}`, id);
}

async function post(path, body, expected, headers = {}) {
  const started = performance.now();
  const response = await fetch(new URL(path, url), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== expected) throw new Error(`${path}: HTTP ${response.status} ${text}`);
  return { ms, json: JSON.parse(text) };
}

const login = (email, password, expected) => post("/auth/customer/emailpass", { email, password }, expected);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (what, xs) => `| ${what} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`;

try {
  // Warm up the isolate with an ordinary PBKDF2 account.
  await post("/auth/customer/emailpass/register", { email: "warm@example.com", password: "correct horse battery" }, 200);
  await login("warm@example.com", "correct horse battery", 200);
  const before = await isolate.memory();

  const emails = Array.from({ length: LOGINS }, (_, i) => `shopper${i}@example.com`);
  for (const [i, email] of emails.entries()) await seed(i, email, medusa.hash);
  const times = { wrong: [], first: [], second: [], unknown: [] };
  for (const email of emails) times.wrong.push((await login(email, "wrong password", 401)).ms);
  const afterScrypt = await isolate.memory();
  for (const email of emails) times.first.push((await login(email, medusa.password, 200)).ms);
  for (const email of emails) times.second.push((await login(email, medusa.password, 200)).ms);

  // Fresh identities for the unknown-email pass: the tally must count scrypt hashes.
  for (const [i, email] of emails.entries()) await seed(100 + i, `again${i}@example.com`, medusa.hash);
  const recount = await post("/admin/password-costs/recount", {}, 200, { authorization: `Bearer ${ADMIN_SECRET}` });
  for (let i = 0; i < LOGINS; i++) times.unknown.push((await login(`nobody${i}@example.com`, "wrong password", 401)).ms);

  await seed(999, "largest@example.com", largest.hash);
  const largestMs = (await login("largest@example.com", "wrong password", 401)).ms;
  const afterLargest = await isolate.memory();

  console.log(`Medusa hashes (scrypt logN ${medusa.logN}, r ${medusa.r}, p ${medusa.p}) in local workerd, ${LOGINS} identities, ms:\n`);
  console.log("| request | median | min | max |\n|---|---|---|---|");
  console.log(row("wrong password (scrypt only)", times.wrong));
  console.log(row("first sign-in (scrypt + re-hash at PBKDF2 600,000)", times.first));
  console.log(row("second sign-in (PBKDF2 600,000)", times.second));
  console.log(row(`unknown email, tally ${JSON.stringify(recount.json.costs)}`, times.unknown));
  console.log(`| wrong password, logN ${largest.logN}, r ${largest.r} (the largest logN accepted) | ${largestMs.toFixed(0)} | | |`);
  const mib = (m) => `wasm ${m.wasm.toFixed(1)} MiB, JS heap ${m.jsUsed.toFixed(1)} MiB used`;
  console.log(`\nisolate memory: after PBKDF2 sign-ins ${mib(before)}; after scrypt logN 15 ${mib(afterScrypt)}; after logN 16, r 4 ${mib(afterLargest)}`);
} finally {
  isolate.close();
  await mf.dispose();
}
