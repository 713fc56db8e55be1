// TOTP MFA end to end in workerd, as a storefront would use it: enrol a factor, prove it with a code,
// make recovery codes, then sign in → {mfa_required, mfa_challenge, token} → answer the challenge → the
// real token. Codes are computed here from the enrolment's secret with node:crypto (RFC 6238, our own
// TOTP), never by the Worker. Also: a reused code is refused, the pending token opens nothing else, and
// no secret is readable in KV. Last, a timing report: MFA-enabled vs plain sign-ins, side by side.

import assert from "node:assert/strict";
import { createDecipheriv, createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  TEST_JWT_SECRET,
  TEST_TIMEOUT_MS,
  assertError,
  jsonBody,
  startWorker,
  tokenFrom,
  verifyHs256,
} from "./harness.mjs";
import { base32Decode, totp } from "../js-sdk/totp.mjs";

const ADMIN_SECRET = "admin-end-to-end-0123456789abcdef0123";
const MFA_ENCRYPTION_KEY = "mfa-end-to-end-0123456789abcdef01234";
const PASSWORD = "correct horse battery";

test("our TOTP matches RFC 6238 appendix B (SHA-1, 8 digits truncated to 6)", () => {
  // The seed "12345678901234567890" in base32.
  const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  for (const [time, eight] of [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
  ]) {
    assert.equal(totp(seed, time), eight.slice(2));
  }
});

describe("TOTP MFA", { timeout: 10 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker({ vars: { ADMIN_SECRET, MFA_ENCRYPTION_KEY } });
  });
  after(() => worker?.dispose());

  const bearer = (token) => ({ authorization: `Bearer ${token}` });
  const postAs = (path, body, token) => worker.post(path, body, bearer(token));
  const login = (email) => worker.post("/auth/customer/emailpass", { email, password: PASSWORD });

  /** A customer (actor linked through the admin API) signed in: its token. */
  async function customer(email) {
    const registered = await tokenFrom(
      await worker.post("/auth/customer/emailpass/register", { email, password: PASSWORD }),
    );
    const id = registered.payload.auth_identity_id;
    const patched = await worker.fetch(`/admin/auth-identities/${id}`, {
      method: "PATCH",
      headers: { ...bearer(ADMIN_SECRET), "content-type": "application/json" },
      body: JSON.stringify({ app_metadata: { customer_id: `cus_${id.slice(-6)}` } }),
    });
    assert.equal(patched.status, 200);
    return tokenFrom(await login(email));
  }

  /** Enrols and proves a TOTP factor; returns { token, secret, factor }. */
  async function enrolled(email) {
    const token = await customer(email);
    const started = await jsonBody(await postAs("/auth/mfa/factors", { provider: "totp", label: email }, token.raw), 200);
    assert.equal(started.mfa_factor.status, "pending");
    assert.match(started.otpauth_url, /^otpauth:\/\/totp\/Medusa:[^?]+\?secret=[A-Z2-7]{32}&issuer=Medusa&algorithm=SHA1&digits=6&period=30$/);
    const verified = await jsonBody(
      await postAs(`/auth/mfa/factors/${started.mfa_factor.id}/verify`, { code: totp(started.secret) }, token.raw),
      200,
    );
    assert.equal(verified.mfa_factor.status, "enabled");
    return { token, secret: started.secret, factor: started.mfa_factor.id };
  }

  async function challenged(email) {
    const body = await jsonBody(await login(email), 200);
    assert.equal(body.mfa_required, true, JSON.stringify(body));
    return body;
  }

  const answer = (challenge, token, method, code) =>
    postAs(`/auth/mfa/challenges/${challenge.id}/verify`, { method, code }, token);

  test("enrolment, then a sign-in owes the challenge and its code earns the real token", async () => {
    const { token, secret, factor } = await enrolled("mfa@b.co");
    const listed = await jsonBody(await worker.fetch("/auth/mfa/factors", { headers: bearer(token.raw) }), 200);
    assert.deepEqual(
      listed.mfa_factors.map((f) => [f.id, f.status]),
      [[factor, "enabled"]],
    );
    assert.ok(!JSON.stringify(listed).includes(secret));

    const { mfa_challenge: challenge, token: pending } = await challenged("mfa@b.co");
    assert.deepEqual(challenge.methods, ["totp"]);
    assert.equal(challenge.max_attempts, 5);
    assert.ok(verifyHs256(pending, TEST_JWT_SECRET));
    const pendingClaims = JSON.parse(Buffer.from(pending.split(".")[1], "base64url"));
    assert.equal(pendingClaims.actor_id, "");
    assert.equal(pendingClaims.mfa_enabled, true);
    assert.equal(pendingClaims.mfa_challenge_completed_at, null);
    // The pending token opens nothing but the challenge (and sessions, refresh).
    assert.equal((await worker.fetch("/auth/mfa/factors", { headers: bearer(pending) })).status, 401);

    // The next step's code: the enrolment used this step's (±1 step is accepted).
    const code = totp(secret, Date.now() / 1000 + 30);
    const passed = await tokenFrom(await answer(challenge, pending, "totp", code));
    assert.ok(verifyHs256(passed.raw, TEST_JWT_SECRET));
    assert.equal(passed.payload.actor_id, token.payload.actor_id);
    assert.equal(passed.payload.mfa_enabled, true);
    assert.match(passed.payload.mfa_challenge_completed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // The same code cannot pass another challenge.
    const again = await challenged("mfa@b.co");
    await assertError(await answer(again.mfa_challenge, again.token, "totp", code), 400, "not_allowed", "Invalid MFA challenge code");
  });

  test("recovery codes: shown once, single use, and offered by the challenge", async () => {
    const { token } = await enrolled("rec@b.co");
    const { recovery_codes: codes } = await jsonBody(await postAs("/auth/mfa/recovery-codes", {}, token.raw), 200);
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, /^[0-9a-f]{4}(-[0-9a-f]{4}){7}$/);
    const first = await challenged("rec@b.co");
    assert.deepEqual(first.mfa_challenge.methods, ["totp", "recovery_code"]);
    await tokenFrom(await answer(first.mfa_challenge, first.token, "recovery_code", codes[0]));
    const second = await challenged("rec@b.co");
    await assertError(
      await answer(second.mfa_challenge, second.token, "recovery_code", codes[0]),
      400,
      "not_allowed",
      "Invalid MFA challenge code",
    );

    // Nothing secret in a KV dump: no recovery code, and the factor's secret only sealed.
    const dump = JSON.stringify(await worker.kvEntries());
    for (const code of codes) assert.ok(!dump.includes(code) && !dump.includes(code.replaceAll("-", "")));
    assert.match(dump, /v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+/);
  });

  test("no secret of any factor is readable in KV; node:crypto opens the seal with the key (Medusa's layout)", async () => {
    const { token, secret } = await enrolled("kv@b.co");
    const entries = await worker.kvEntries();
    const dump = JSON.stringify(entries);
    assert.ok(!dump.includes(secret));
    assert.ok(!dump.includes(base32Decode(secret).toString("hex")));
    assert.ok(!dump.includes(base32Decode(secret).toString("base64url")));
    // The record is sealed as Medusa 2.21's encryptSecret seals it: AES-256-GCM under sha256(key),
    // v1:<iv>:<tag>:<ciphertext> in base64url. Opened here independently of the Worker's WebCrypto.
    const [, record] = entries.find(([key]) => key === `mfa:${token.payload.auth_identity_id}`);
    const [version, iv, tag, body] = JSON.parse(record).factors[0].secret.split(":");
    assert.equal(version, "v1");
    const key = createHash("sha256").update(MFA_ENCRYPTION_KEY).digest();
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const opened = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
    assert.equal(opened.toString("utf8"), secret);
  });

  test("wrong, missing and non-string codes, and another identity's factor, are 4xx", async () => {
    const a = await enrolled("a@mfa.co");
    const b = await enrolled("b@mfa.co");
    await assertError(
      await postAs(`/auth/mfa/factors/${a.factor}/verify`, { code: totp(a.secret) }, b.token.raw),
      404,
      "not_found",
      `MFA factor with id "${a.factor}" was not found`,
    );
    const { mfa_challenge: challenge, token: pending } = await challenged("a@mfa.co");
    await assertError(await answer(challenge, pending, "totp", undefined), 400, "invalid_data", "Invalid request: Field 'code' is required");
    await assertError(
      await answer(challenge, pending, "totp", 123456),
      400,
      "invalid_data",
      "Invalid request: Expected type: 'string' for field 'code', got: 'number'",
    );
    const other = await challenged("b@mfa.co");
    await assertError(
      await answer(challenge, other.token, "totp", totp(a.secret)),
      404,
      "not_found",
      `MFA challenge with id "${challenge.id}" was not found`,
    );
    const disabled = await jsonBody(
      await worker.fetch(`/auth/mfa/factors/${b.factor}`, { method: "DELETE", headers: bearer(b.token.raw) }),
      200,
    );
    assert.equal(disabled.mfa_factor.status, "disabled");
    await tokenFrom(await login("b@mfa.co"));
  });

  test("[timing report] sign-in with and without MFA at 1,000 PBKDF2 iterations, side by side", async () => {
    await customer("plain@b.co");
    await enrolled("timed@b.co");
    const rounds = 50;
    const plain = [];
    const mfa = [];
    for (let i = 0; i < rounds; i++) {
      let started = performance.now();
      await tokenFrom(await login("plain@b.co"));
      plain.push(performance.now() - started);
      started = performance.now();
      const body = await jsonBody(await login("timed@b.co"), 200);
      mfa.push(performance.now() - started);
      assert.equal(body.mfa_required, true);
    }
    const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    console.log(
      `[timing report] sign-in in workerd at 1,000 PBKDF2 iterations, median of ${rounds} interleaved: ` +
        `plain ${median(plain).toFixed(2)} ms, MFA-enabled (challenge + actor-less token) ` +
        `${median(mfa).toFixed(2)} ms, difference ${(median(mfa) - median(plain)).toFixed(2)} ms`,
    );
  });
});
