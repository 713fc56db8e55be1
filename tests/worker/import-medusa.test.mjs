// ./scripts/import-medusa.sh against the Worker in workerd over real HTTP on 127.0.0.1: an NDJSON export
// of Medusa identities (emailpass with Medusa's scrypt hashes, GitHub, and bad rows) imports in batches
// with a closing summary; bad rows fail one by one into the failures file; a second run reports every
// identity unchanged; an interrupted run resumes from its checkpoint. MEDUSA_IMPORT_COUNT sets the number of
// good identities (default 300; docs/migrating-from-medusa.md#the-import-command has a 10,000 run).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { tokenFrom, withWorker } from "./harness.mjs";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCRIPT = join(REPO_ROOT, "scripts", "import-medusa.mjs");
const ADMIN_SECRET = "admin-import-e2e-0123456789abcdef0123";
const COUNT = Number(process.env.MEDUSA_IMPORT_COUNT ?? 300);
const FIXTURES = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/medusa/scrypt-kdf.json"), "utf8"));
const MEDUSA = FIXTURES.hashes.find((c) => c.logN === 15 && c.accepted);
const VARS = {
  ADMIN_SECRET,
  AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["emailpass", "github"], user: ["emailpass"] }),
  GITHUB_CLIENT_ID: "gh-client",
  GITHUB_CLIENT_SECRET: "gh-secret",
  GITHUB_CALLBACK_URL: "https://shop.example/auth/github/callback",
};

const pad = (n) => String(n).padStart(17, "0");
/** A row as the documented psql query gives it: one auth_identity with its provider_identities. */
function row(n, provider, entityId, providerMetadata) {
  return {
    id: `authid_01JEXPORT${pad(n)}`,
    app_metadata: { customer_id: `cus_${n}` },
    provider_identities: [
      { id: `provid_01JEXPORT${pad(n)}`, provider, entity_id: entityId, user_metadata: null, provider_metadata: providerMetadata },
    ],
  };
}

function exportFile(dir) {
  const lines = [];
  for (let n = 0; n < COUNT; n++) {
    lines.push(
      n % 10 === 9
        ? row(n, "github", String(1_000_000 + n), { access_token: null })
        : row(n, "emailpass", `Customer${n}@Example.com`, { password: MEDUSA.hash }),
    );
  }
  // The bad rows, each failing alone.
  lines.push(row(COUNT, "emailpass", "bad-hash@example.com", { password: "c2NyeXB0AAo=" })); // malformed hash
  lines.push(row(COUNT + 1, "okta", "okta-user", null)); // unknown provider
  lines.push(row(COUNT + 2, "emailpass", "CUSTOMER0@example.com", { password: MEDUSA.hash })); // case twin
  lines.push({ id: `authid_01JEXPORT${pad(COUNT + 3)}`, provider_identities: [{ provider: "emailpass" }] }); // missing fields
  const text = lines.map((l) => JSON.stringify(l)).join("\n") + "\n{truncated row\n";
  const file = join(dir, "identities.ndjson");
  writeFileSync(file, text);
  return file;
}

function run(url, file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, "--url", url, "--file", file], {
      env: { ...process.env, ADMIN_SECRET },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const summary = (stdout) => {
  const m = /created (\d+), unchanged (\d+), failed (\d+)/.exec(stdout);
  assert.ok(m, stdout);
  return m.slice(1).map(Number);
};

test(`[timing report] import-medusa imports ${COUNT} identities, reports bad rows, re-runs unchanged and resumes`, { timeout: 120_000 + COUNT * 60 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-auth-import-"));
  try {
    await withWorker({ vars: VARS }, async (worker) => {
      const file = exportFile(dir);
      const started = performance.now();
      const first = await run(worker.url, file);
      const seconds = (performance.now() - started) / 1000;
      assert.equal(first.code, 1, `${first.stdout}\n${first.stderr}`); // some rows failed
      assert.deepEqual(summary(first.stdout), [COUNT, 0, 5]);
      assert.match(first.stderr, new RegExp(`${COUNT + 5}/${COUNT + 5} \\(100\\.0%\\)`));
      assert.equal(existsSync(`${file}.checkpoint.json`), false, "a finished run leaves no checkpoint");

      const failures = readFileSync(`${file}.failed.ndjson`, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(failures.map((f) => f.line), [COUNT + 1, COUNT + 2, COUNT + 3, COUNT + 4, COUNT + 5]);
      assert.match(failures[0].error, /provider_metadata\.password is not a password hash/);
      assert.match(failures[1].error, /provider "okta" is not enabled here/);
      assert.match(failures[2].error, /differ only by case are not merged/);
      assert.equal(failures[3].error, "provider_identities[0].id is required");
      assert.match(failures[4].error, /^not JSON: line \d+:/, "its line within the batch sent; `line` is the file's");
      const entries = await worker.kvEntries();
      const records = entries.filter(([k]) => k.startsWith("ai:")).length;
      console.log(
        `[timing report] import-medusa: ${COUNT} identities into workerd in ${seconds.toFixed(1)} s ` +
          `(${(COUNT / seconds).toFixed(0)}/s, ${Math.ceil((COUNT + 5) / 50)} requests or more); ` +
          `${entries.length} KV keys, i.e. ${records} records with their 2 indexes, + the hash tally`,
      );
      assert.equal(records, COUNT);
      // The closing recount makes the stored-hash tally exact.
      const emailpass = Array.from({ length: COUNT }, (_, n) => n).filter((n) => n % 10 !== 9).length;
      const costs = await worker.fetch("/admin/password-costs", { headers: { authorization: `Bearer ${ADMIN_SECRET}` } });
      assert.deepEqual((await costs.json()).costs, { "scrypt$ln=15,r=8,p=1": emailpass });

      // The imported Medusa password signs in; a second run changes nothing.
      const login = await tokenFrom(await worker.post("/auth/customer/emailpass", { email: "customer0@example.com", password: MEDUSA.password }));
      assert.equal(login.payload.actor_id, "cus_0");
      rmSync(`${file}.failed.ndjson`);
      const secondStarted = performance.now();
      const second = await run(worker.url, file);
      assert.deepEqual(summary(second.stdout), [0, COUNT, 5]);
      console.log(`[timing report] import-medusa, second run (all unchanged): ${((performance.now() - secondStarted) / 1000).toFixed(1)} s`);

      // Resuming: a checkpoint saying the first half is done sends only the rest.
      const half = Math.floor(COUNT / 2);
      const fresh = join(dir, "fresh.ndjson");
      writeFileSync(fresh, readFileSync(file, "utf8").replaceAll("01JEXPORT", "01JRESUME").replaceAll("@Example.com", "@resume.example"));
      writeFileSync(`${fresh}.checkpoint.json`, JSON.stringify({ file: fresh, line: half, created: half, unchanged: 0, failed: 0, ms: 0 }));
      const resumed = await run(worker.url, fresh);
      assert.match(resumed.stderr, new RegExp(`resuming after line ${half}`));
      // GitHub entity ids are the same in both files: those of the second half now fail as taken.
      const githubInRest = Array.from({ length: COUNT - half }, (_, i) => half + i).filter((n) => n % 10 === 9).length;
      assert.deepEqual(summary(resumed.stdout), [COUNT - githubInRest, 0, 5 + githubInRest]);
      assert.equal(await worker.kvGet(`ai:authid_01JRESUME${pad(0)}`), null, "lines before the checkpoint were not sent");
      assert.notEqual(await worker.kvGet(`ai:authid_01JRESUME${pad(COUNT - 1 - (COUNT % 10 === 0 ? 1 : 0))}`), null);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
