// Strong consistency end to end in workerd, with and without the guard Durable Object:
//   - 50 concurrent registrations of one email → exactly one identity;
//   - two concurrent uses of one reset token → exactly one 200;
//   - after a password change, a KV that predates it (old hash, no revocation) accepts neither the old token
//     nor the old password with the Durable Object, and both without it (the documented remainder);
//   - [timing report] the latency a login and a refresh gain from the Durable Object in their path.
// Each concurrency test prints its measured outcome.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TEST_TIMEOUT_MS, jsonBody, startWorker, tokenFrom, withWorker } from "./harness.mjs";
import { WEBHOOK_SECRET, startReceiver } from "./webhook-receiver.mjs";

const REGISTER = "/auth/customer/emailpass/register";
const EXISTS = "Identity with email already exists";

/** Sends 50 registrations of one email (each with its own password) at once. */
async function raceRegistrations(worker, email) {
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, i) => worker.post(REGISTER, { email, password: `password number ${i}` })),
  );
  const outcome = { ok: 0, exists: 0, other: [] };
  for (const response of responses) {
    const body = await response.json();
    if (response.status === 200) outcome.ok++;
    else if (response.status === 401 && body.message === EXISTS) outcome.exists++;
    else outcome.other.push(`${response.status} ${JSON.stringify(body)}`);
  }
  return outcome;
}

async function identitiesIn(worker) {
  return (await worker.kvEntries()).filter(([key]) => key.startsWith("ai:")).length;
}

describe("unique registration under concurrency", { timeout: 6 * TEST_TIMEOUT_MS }, () => {
  test("with the Durable Object: 50 concurrent registers of one email → exactly one success", async () => {
    await withWorker({}, async (worker) => {
      const outcome = await raceRegistrations(worker, "race@b.co");
      const stored = await identitiesIn(worker);
      console.log(`[concurrency] 50 registers, Durable Object: ${JSON.stringify(outcome)}, identities stored: ${stored}`);
      assert.deepEqual(outcome, { ok: 1, exists: 49, other: [] });
      assert.equal(stored, 1);
    });
  });

  test("KV alone, one isolate: the isolate's memory still serialises them", async () => {
    await withWorker({ guard: false }, async (worker) => {
      const outcome = await raceRegistrations(worker, "race@b.co");
      const stored = await identitiesIn(worker);
      console.log(`[concurrency] 50 registers, KV alone, one isolate: ${JSON.stringify(outcome)}, identities stored: ${stored}`);
      assert.deepEqual(outcome, { ok: 1, exists: 49, other: [] });
      assert.equal(stored, 1);
    });
  });
});

describe("single-use reset tokens under concurrency", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  for (const guard of [true, false]) {
    const label = guard ? "Durable Object" : "KV alone, one isolate";
    test(`${label}: two concurrent uses of one reset token → exactly one 200`, async () => {
      const receiver = await startReceiver();
      try {
        await withWorker(
          { guard, vars: { RESET_PASSWORD_WEBHOOK_URL: receiver.url, RESET_PASSWORD_WEBHOOK_SECRET: WEBHOOK_SECRET } },
          async (worker) => {
            await tokenFrom(await worker.post(REGISTER, { email: "twice@b.co", password: "correct horse" }));
            const reset = await worker.post("/auth/customer/emailpass/reset-password", { identifier: "twice@b.co" });
            assert.equal(reset.status, 201);
            const { json } = await receiver.waitFor(1);
            const use = (password) =>
              worker.post("/auth/customer/emailpass/update", { password }, { authorization: `Bearer ${json.data.token}` });
            const answers = await Promise.all([use("first new password"), use("second new password")]);
            const statuses = [];
            for (const r of answers) {
              const body = await r.json();
              statuses.push(r.status === 200 ? "200" : `${r.status} ${body.message}`);
            }
            statuses.sort();
            console.log(`[concurrency] 2 concurrent uses of one reset token, ${label}: ${JSON.stringify(statuses)}`);
            assert.deepEqual(statuses, ["200", "401 Invalid token"]);
            let working = 0;
            for (const password of ["first new password", "second new password"]) {
              const r = await worker.post("/auth/customer/emailpass", { email: "twice@b.co", password });
              if (r.status === 200) working++;
              await r.arrayBuffer();
            }
            assert.equal(working, 1, "exactly one of the two passwords was set");
          },
        );
      } finally {
        await receiver.close();
      }
    });
  }
});

describe("revocation against a KV that predates the change", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  // After a password change, AUTH_KV is put back to what a location the change has not reached yet still
  // serves (the old hash, no revocation record): the Durable Object's credential record decides.
  for (const guard of [true, false]) {
    const label = guard ? "Durable Object" : "KV alone";
    test(`${label}: the old token and the old password ${guard ? "are refused" : "still work (documented)"}`, async () => {
      await withWorker({ guard }, async (worker) => {
        const email = "stale@b.co";
        const old = await tokenFrom(await worker.post(REGISTER, { email, password: "correct horse" }));
        const id = old.payload.auth_identity_id;
        const oldRecord = await worker.kvGet(`ai:${id}`);
        const fresh = await tokenFrom(
          await worker.post(
            "/auth/customer/emailpass/change-password",
            { current_password: "correct horse", password: "new horse battery" },
            { authorization: `Bearer ${old.raw}` },
          ),
        );
        await worker.kvPut(`ai:${id}`, oldRecord);
        await worker.kvDelete(`tva:${id}`);

        const refresh = (token) =>
          worker.fetch("/auth/token/refresh", { method: "POST", headers: { authorization: `Bearer ${token.raw}` } });
        const outcome = {
          oldTokenRefresh: (await refresh(old)).status,
          oldPasswordSignIn: (await worker.post("/auth/customer/emailpass", { email, password: "correct horse" })).status,
          newTokenRefresh: (await refresh(fresh)).status,
        };
        console.log(`[consistency] stale KV after a password change, ${label}: ${JSON.stringify(outcome)}`);
        const refused = guard ? 401 : 200;
        assert.deepEqual(outcome, { oldTokenRefresh: refused, oldPasswordSignIn: refused, newTokenRefresh: 200 });
        // Nothing was written back: KV still holds exactly what it was given.
        assert.equal(await worker.kvGet(`ai:${id}`), oldRecord);
      });
    });
  }
});

test("[timing report] login and refresh latency with the Durable Object in the path vs KV alone", { timeout: 6 * TEST_TIMEOUT_MS }, async () => {
  // Same run, same machine, requests interleaved between the two Workers. Rate limits at their defaults:
  // a login makes two guard calls (IP and email, concurrently), one read of the identity's credential
  // record (beside the hash) and, on success, clears the email's counter while the token is issued; a
  // refresh reads the credential record beside KV's revocation copy.
  const vars = { RATE_LIMITS: undefined };
  const withDo = await startWorker({ vars });
  const kvOnly = await startWorker({ vars, guard: false });
  try {
    const credentials = { email: "speed@b.co", password: "correct horse" };
    const tokens = new Map();
    for (const w of [withDo, kvOnly]) tokens.set(w, (await tokenFrom(await w.post(REGISTER, credentials))).raw);
    const rounds = 60;
    const times = { login: { withDo: [], kvOnly: [] }, refresh: { withDo: [], kvOnly: [] } };
    let ip = 0;
    const login = async (w) => {
      // A fresh client address each time keeps the per-IP counter (30/min) out of the way.
      const started = performance.now();
      const response = await w.post("/auth/customer/emailpass", credentials, { "cf-connecting-ip": `10.0.${ip >> 8}.${ip++ & 255}` });
      await jsonBody(response, 200);
      return performance.now() - started;
    };
    const refresh = async (w) => {
      const started = performance.now();
      const response = await w.fetch("/auth/token/refresh", { method: "POST", headers: { authorization: `Bearer ${tokens.get(w)}` } });
      await jsonBody(response, 200);
      return performance.now() - started;
    };
    // Warm both (first DO calls create the objects).
    for (let i = 0; i < 5; i++) {
      for (const w of [withDo, kvOnly]) {
        await login(w);
        await refresh(w);
      }
    }
    for (let i = 0; i < rounds; i++) {
      times.login.withDo.push(await login(withDo));
      times.login.kvOnly.push(await login(kvOnly));
      times.refresh.withDo.push(await refresh(withDo));
      times.refresh.kvOnly.push(await refresh(kvOnly));
    }
    const stats = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return { median: s[s.length >> 1], p90: s[Math.floor(s.length * 0.9)], mean: s.reduce((a, b) => a + b, 0) / s.length };
    };
    const f = (x) => x.toFixed(2);
    for (const what of ["login", "refresh"]) {
      const d = stats(times[what].withDo);
      const k = stats(times[what].kvOnly);
      console.log(
        `[timing report] ${what} (PBKDF2 1000 iterations, ${rounds} each, interleaved): ` +
          `Durable Object median ${f(d.median)} ms / p90 ${f(d.p90)} ms / mean ${f(d.mean)} ms; ` +
          `KV alone median ${f(k.median)} ms / p90 ${f(k.p90)} ms / mean ${f(k.mean)} ms; ` +
          `added by the Durable Object: median ${f(d.median - k.median)} ms, mean ${f(d.mean - k.mean)} ms`,
      );
    }
  } finally {
    await withDo.dispose();
    await kvOnly.dispose();
  }
});
