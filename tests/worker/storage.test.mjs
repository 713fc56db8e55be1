// What lands in Workers KV: the identity and a PHC-format hash, never the password; and the data outlives
// the workerd process.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TEST_TIMEOUT_MS, tokenFrom, withWorker } from "./harness.mjs";

const PASSWORD = "correct horse battery";

test("KV holds the identity and a PBKDF2 PHC hash, never the password", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({}, async (worker) => {
    const registered = await tokenFrom(
      await worker.post("/auth/customer/emailpass/register", { email: "A@B.co", password: PASSWORD }),
    );
    const entries = await worker.kvEntries();
    assert.ok(entries.length > 0, "AUTH_KV is empty after a registration");
    const everything = entries.map(([key, value]) => `${key}\n${value}`).join("\n");

    assert.ok(
      everything.includes(registered.payload.auth_identity_id),
      `no KV key or value mentions ${registered.payload.auth_identity_id}`,
    );
    assert.ok(everything.includes("a@b.co"), "the email is stored (lower-cased)");
    assert.ok(!everything.includes("A@B.co"), "emails are stored lower-cased");

    for (const [key, value] of entries) {
      for (const secret of [PASSWORD, Buffer.from(PASSWORD).toString("base64"), Buffer.from(PASSWORD).toString("hex")]) {
        assert.ok(!key.includes(secret) && !value.includes(secret), `KV entry ${key} contains the password`);
      }
    }

    // $pbkdf2-sha256$i=<iterations>,l=<output length>$<salt>$<hash>, salt and hash in unpadded base64
    // (a record may be stored under more than one key, so count distinct hashes)
    const hashes = new Set(everything.match(/\$pbkdf2-sha256\$[^"\s]+/g) ?? []);
    assert.equal(hashes.size, 1, `expected one PHC hash in KV, found: ${JSON.stringify([...hashes])}`);
    assert.match([...hashes][0], /^\$pbkdf2-sha256\$i=1000,l=32\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{43}$/);
  });
});

test("two identities never share a salt", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({}, async (worker) => {
    for (const email of ["one@b.co", "two@b.co"]) {
      await tokenFrom(await worker.post("/auth/customer/emailpass/register", { email, password: PASSWORD }));
    }
    const hashes = [
      ...new Set((await worker.kvEntries()).flatMap(([, value]) => value.match(/\$pbkdf2-sha256\$[^"\s]+/g) ?? [])),
    ];
    assert.equal(hashes.length, 2, JSON.stringify(hashes));
    const salt = (phc) => phc.split("$")[3];
    assert.notEqual(salt(hashes[0]), salt(hashes[1]));
  });
});

test("identities survive a restart of workerd (persisted KV)", { timeout: 2 * TEST_TIMEOUT_MS }, async () => {
  const kvPersist = mkdtempSync(join(tmpdir(), "edge-auth-kv-"));
  try {
    const credentials = { email: "a@b.co", password: PASSWORD };
    const registered = await withWorker({ kvPersist }, async (worker) =>
      tokenFrom(await worker.post("/auth/customer/emailpass/register", credentials)),
    );
    // a brand-new Miniflare (new workerd process) over the same directory
    const login = await withWorker({ kvPersist }, async (worker) =>
      tokenFrom(await worker.post("/auth/customer/emailpass", credentials)),
    );
    assert.equal(login.payload.auth_identity_id, registered.payload.auth_identity_id);
  } finally {
    rmSync(kvPersist, { recursive: true, force: true });
  }
});
