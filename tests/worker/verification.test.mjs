// Email verification end to end in workerd, as a storefront would use it with
// AUTH_VERIFICATIONS_PER_ACTOR: sign in → {verification_required, token} (actor-less) → request a code
// (201 {verification}) → the code arrives by the signed webhook (the development outbox here) → confirm
// it → sign-in gives the real token. Also: the code is single use, in no KV key or value, bound to its
// identity, and bad input is a 4xx.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { startSdkWorker } from "../js-sdk/stack.mjs";
import { TEST_JWT_SECRET, TEST_TIMEOUT_MS, assertError, jsonBody, verifyHs256 } from "./harness.mjs";

/** The claims of a token this Worker signed. */
function claimsOf(token) {
  assert.ok(verifyHs256(token, TEST_JWT_SECRET), "signed by the Worker");
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

const PASSWORD = "correct horse battery";
const PER_ACTOR = JSON.stringify({ customer: [{ entity_type: "email", auth_provider: "emailpass" }] });

describe("email verification", { timeout: TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startSdkWorker({ AUTH_VERIFICATIONS_PER_ACTOR: PER_ACTOR });
  });
  after(async () => worker?.dispose());

  const bearer = (token) => ({ authorization: `Bearer ${token}` });

  async function signUp(email, customerId) {
    const registered = await jsonBody(
      await worker.post("/auth/customer/emailpass/register", { email, password: PASSWORD }),
      200,
    );
    assert.equal(registered.verification_required, undefined, "registration does not check it");
    const claims = claimsOf(registered.token);
    await worker.linkActor(claims.auth_identity_id, "customer", customerId);
    return claims.auth_identity_id;
  }

  const signIn = async (email) =>
    jsonBody(await worker.post("/auth/customer/emailpass", { email, password: PASSWORD }), 200);

  /** The code of a verification delivery for `email` not in `seen`. */
  async function codeFor(email, seen) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { deliveries } = await jsonBody(await worker.fetch("/__dev/outbox"), 200);
      const found = deliveries.find(
        (d) => d.event === "auth.verification_requested" && d.data?.entity_id === email && !seen.has(d.delivery),
      );
      if (found) return found.data.code;
      await sleep(100);
    }
    assert.fail(`no verification delivery for ${email}`);
  }

  test("sign-in owes the verification until a delivered code is confirmed, once", async () => {
    const id = await signUp("verify@example.com", "cus_v1");
    const owed = await signIn("verify@example.com");
    assert.equal(owed.verification_required, true);
    assert.equal(owed.verification, undefined);
    const pending = claimsOf(owed.token);
    assert.equal(pending.actor_id, "");
    assert.equal(pending.auth_identity_id, id);

    const seen = await worker.outboxSeen();
    const requested = await jsonBody(
      await worker.post(
        "/auth/verification/request",
        { entity_id: "verify@example.com", entity_type: "email" },
        bearer(owed.token),
      ),
      201,
    );
    assert.equal(requested.verification.entity_id, "verify@example.com");
    assert.equal(requested.verification.verified_at, null);
    assert.equal(requested.verification.code, undefined);
    const code = await codeFor("verify@example.com", seen);

    // The development outbox (the webhook's receiver here) keeps what it received; nothing else has the code.
    const entries = (await worker.kvEntries()).filter(([k]) => k !== "dev:outbox");
    assert.ok(entries.length > 0);
    assert.ok(entries.every(([k, v]) => !String(k).includes(code) && !String(v).includes(code)), "hashed at rest");

    const again = await signIn("verify@example.com");
    assert.equal(again.verification_required, true);
    assert.equal(again.verification.id, requested.verification.id);

    const confirmed = await jsonBody(await worker.post("/auth/verification/confirm", { code }), 200);
    assert.deepEqual(Object.keys(confirmed).sort(), ["code_provider", "entity_id", "entity_type", "verified_at"]);
    assert.equal(confirmed.code_provider, "token");
    await assertError(
      await worker.post("/auth/verification/confirm", { code }),
      400,
      "not_allowed",
      "Verification code is invalid or already used",
    );

    const real = claimsOf((await signIn("verify@example.com")).token);
    assert.equal(real.actor_id, "cus_v1");
  });

  test("another identity cannot use the code, nor ask for an address not its own; bad input is a 4xx", async () => {
    await signUp("va@example.com", "cus_va");
    await signUp("vb@example.com", "cus_vb");
    const a = (await signIn("va@example.com")).token;
    const b = (await signIn("vb@example.com")).token;
    const seen = await worker.outboxSeen();
    await jsonBody(
      await worker.post("/auth/verification/request", { entity_id: "va@example.com", entity_type: "email" }, bearer(a)),
      201,
    );
    const code = await codeFor("va@example.com", seen);
    await assertError(
      await worker.post("/auth/verification/confirm", { code }, bearer(b)),
      400,
      "not_allowed",
      "Verification code is invalid or already used",
    );
    await assertError(
      await worker.post("/auth/verification/request", { entity_id: "va@example.com", entity_type: "email" }, bearer(b)),
      400,
      "invalid_data",
      "Provider identity not found while checking verification",
    );
    for (const [path, body, headers] of [
      ["/auth/verification/request", { entity_type: "email" }, bearer(a)],
      ["/auth/verification/request", { entity_id: 1, entity_type: "email" }, bearer(a)],
      ["/auth/verification/confirm", {}, {}],
      ["/auth/verification/confirm", { code: 5 }, {}],
    ]) {
      const response = await worker.post(path, body, headers);
      assert.equal(response.status, 400, `${path} ${JSON.stringify(body)}`);
      await response.arrayBuffer();
    }
    const anonymous = await worker.post("/auth/verification/request", { entity_id: "x", entity_type: "email" });
    assert.equal(anonymous.status, 401);
    await anonymous.arrayBuffer();
    // A's code still confirms A.
    await jsonBody(await worker.post("/auth/verification/confirm", { code }, bearer(a)), 200);
  });
});
