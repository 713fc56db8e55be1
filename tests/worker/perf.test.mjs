// PERFORMANCE REPORT (not a benchmark gate): register and log in at the production default of 600,000
// PBKDF2 iterations and print how long the login took. It asserts only that both succeed; the time is for
// humans to read (compare with the CPU time a Worker may spend per request on your plan).

import assert from "node:assert/strict";
import { test } from "node:test";
import { TEST_JWT_SECRET, tokenFrom, verifyHs256, withWorker } from "./harness.mjs";

test("[timing report] login at the default 600,000 PBKDF2 iterations", { timeout: 120_000 }, async () => {
  // PBKDF2_ITERATIONS unset: the Worker's default (600,000) applies.
  await withWorker({ vars: { PBKDF2_ITERATIONS: undefined } }, async (worker) => {
    const credentials = { email: "timing@b.co", password: "correct horse battery staple" };

    const registerStarted = performance.now();
    await tokenFrom(await worker.post("/auth/customer/emailpass/register", credentials));
    const registerMs = performance.now() - registerStarted;

    const stored = (await worker.kvEntries()).map(([, value]) => value).join("\n");
    assert.match(stored, /\$pbkdf2-sha256\$i=600000,l=32\$/, "the hash uses 600,000 iterations");

    const loginStarted = performance.now();
    const login = await tokenFrom(await worker.post("/auth/customer/emailpass", credentials));
    const loginMs = performance.now() - loginStarted;
    assert.ok(verifyHs256(login.raw, TEST_JWT_SECRET));

    console.log(
      `[timing report] PBKDF2-HMAC-SHA256 600,000 iterations in workerd: ` +
        `login ${loginMs.toFixed(0)} ms (register ${registerMs.toFixed(0)} ms, wall time incl. HTTP)`,
    );
  });
});
