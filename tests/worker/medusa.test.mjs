// Medusa's emailpass hashes in the Worker: identities stored as Medusa stored them (ids, actor links, the
// scrypt-kdf blob in provider_metadata.password; blobs made by the real npm package, see
// tests/fixtures/medusa/) sign in, are re-hashed with the configured KDF on the first success, and stay
// usable with the old password; a blob beyond the bounds never signs in. Once the hash-cost tally counts
// them, an unknown email spends scrypt's work too. Contract: docs/migrating-from-medusa.md#passwords.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { TEST_TIMEOUT_MS, assertError, jsonBody, tokenFrom, withWorker } from "./harness.mjs";

const FIXTURES = JSON.parse(readFileSync(new URL("../fixtures/medusa/scrypt-kdf.json", import.meta.url), "utf8"));
const LOGIN = "/auth/customer/emailpass";
const ADMIN_SECRET = "admin-medusa-e2e-0123456789abcdef0123";

/** Writes one identity into AUTH_KV as edge-auth keeps it: the record and its two indexes. */
async function seed(worker, n, email, hash) {
  const id = `authid_01JMEDUSA${String(n).padStart(17, "0")}`;
  const pid = `provid_01JMEDUSA${String(n).padStart(17, "0")}`;
  const record = {
    id,
    app_metadata: { customer_id: `cus_${n}` },
    provider_identities: [
      {
        id: pid,
        entity_id: email,
        provider: "emailpass",
        auth_identity_id: id,
        user_metadata: null,
        provider_metadata: { password: hash },
      },
    ],
  };
  await worker.kvPut(`ai:${id}`, JSON.stringify(record));
  await worker.kvPut(`pi:emailpass:${email}`, id);
  await worker.kvPut(`pid:${pid}`, id);
  return id;
}

async function storedHash(worker, id) {
  return JSON.parse(await worker.kvGet(`ai:${id}`)).provider_identities[0].provider_metadata.password;
}

async function timed(worker, body) {
  const started = performance.now();
  const response = await worker.post(LOGIN, body);
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

describe("Medusa's scrypt-kdf hashes", { timeout: 6 * TEST_TIMEOUT_MS }, () => {
  test("every blob within the bounds signs in, is re-hashed once, and the old password still works", async () => {
    await withWorker({}, async (worker) => {
      const cases = FIXTURES.hashes.filter((c) => c.accepted);
      assert.equal(cases.length, 5);
      for (const [n, c] of cases.entries()) {
        const email = `shopper${n}@example.com`;
        const id = await seed(worker, n, email, c.hash);
        await assertError(await worker.post(LOGIN, { email, password: "wrong password" }), 401, "unauthorized", "Invalid email or password");
        assert.equal(await storedHash(worker, id), c.hash, "a failed sign-in changes nothing");

        const first = await tokenFrom(await worker.post(LOGIN, { email, password: c.password }));
        assert.equal(first.payload.auth_identity_id, id, c.note);
        assert.equal(first.payload.actor_id, `cus_${n}`);
        const rehashed = await storedHash(worker, id);
        assert.match(rehashed, /^\$pbkdf2-sha256\$i=1000,l=32\$/, c.note);

        const again = await tokenFrom(await worker.post(LOGIN, { email: email.toUpperCase(), password: c.password }));
        assert.equal(again.payload.auth_identity_id, id);
        assert.equal(await storedHash(worker, id), rehashed, "a current hash is left alone");
      }
    });
  });

  test("blobs beyond the bounds (a 64 MiB table, logN 17) are refused like a wrong password and kept", async () => {
    await withWorker({}, async (worker) => {
      const beyond = FIXTURES.hashes.filter((c) => !c.accepted);
      assert.equal(beyond.length, 2);
      for (const [n, c] of beyond.entries()) {
        const email = `costly${n}@example.com`;
        const id = await seed(worker, 90 + n, email, c.hash);
        await assertError(await worker.post(LOGIN, { email, password: c.password }), 401, "unauthorized", "Invalid email or password");
        assert.equal(await storedHash(worker, id), c.hash, c.note);
      }
    });
  });

  test("[timing report] once the tally counts scrypt hashes, an unknown email spends scrypt's work", async () => {
    await withWorker({ vars: { ADMIN_SECRET } }, async (worker) => {
      const medusa = FIXTURES.hashes.find((c) => c.logN === 15);
      await seed(worker, 1, "known@example.com", medusa.hash);
      const admin = { authorization: `Bearer ${ADMIN_SECRET}` };
      // Seeded behind the Worker's back, as an import from before the tally: the recount finds them.
      const recount = await jsonBody(await worker.post("/admin/password-costs/recount", {}, admin), 200);
      assert.deepEqual(recount.costs, { "scrypt$ln=15,r=8,p=1": 1 });

      const fastest = async (body) => {
        const runs = [];
        for (let i = 0; i < 3; i++) runs.push(await timed(worker, body));
        for (const r of runs) assert.equal(r.status, 401);
        return Math.min(...runs.map((r) => r.ms));
      };
      const wrong = await fastest({ email: "known@example.com", password: "wrong password" });
      const unknown = await fastest({ email: "nobody@example.com", password: "wrong password" });
      console.log(
        `[timing report] scrypt logN 15, r 8, p 1 in workerd: wrong password ${wrong.toFixed(0)} ms, ` +
          `unknown email ${unknown.toFixed(0)} ms (fastest of 3; PBKDF2 at 1,000 iterations would be ~1 ms)`,
      );
      // Against today's cost (1,000 PBKDF2 iterations) the unknown email would answer in a few ms.
      assert.ok(unknown > wrong / 2, `unknown ${unknown} ms vs wrong password ${wrong} ms`);
    });
  });
});
