// The Worker the js-sdk tests (Node and browser) run against: the built Worker in workerd (the harness of
// tests/worker/), on a port chosen first so that its reset webhook can be its own development outbox,
// with the admin API on (to link an actor, as a Medusa app does by creating the customer).

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, jsonBody, startWorker } from "../worker/harness.mjs";

export const ADMIN_SECRET = "admin-js-sdk-tests-0123456789abcdef0123";
// MFA's routes need a key to seal factor secrets (docs/configuration.md#mfa).
const MFA_ENCRYPTION_KEY = "mfa-js-sdk-tests-0123456789abcdef0123456";
const WEBHOOK_SECRET = "dev-only-webhook-secret-for-the-js-sdk-tests-01234";

/**
 * Starts the Worker; `vars` are added to (and win over) the harness's defaults. Returns the harness's
 * worker plus `linkActor(authIdentityId, actorType, actorId)`, `outboxSeen()`, `resetTokenFor(email, seen)` and
 * `verificationCodeFor(email, seen)`.
 */
export async function startSdkWorker(vars = {}) {
  const port = await freePort();
  const worker = await startWorker({
    port,
    vars: {
      ADMIN_SECRET,
      // The Worker delivers reset tokens to its own /__dev/outbox (ENVIRONMENT=development), as run.sh does.
      RESET_PASSWORD_WEBHOOK_URL: `http://127.0.0.1:${port}/__dev/outbox`,
      RESET_PASSWORD_WEBHOOK_SECRET: WEBHOOK_SECRET,
      MFA_ENCRYPTION_KEY,
      // Users (only: the customer scenarios sign in without it) owe a confirmed email before sign-in.
      AUTH_VERIFICATIONS_PER_ACTOR: JSON.stringify({ user: [{ entity_type: "email", auth_provider: "emailpass" }] }),
      ...vars,
    },
  });

  /** What the app does after sign-up: records the new actor's id on the identity (`<actor>_id`). */
  async function linkActor(authIdentityId, actorType, actorId) {
    const response = await worker.fetch(`/admin/auth-identities/${authIdentityId}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${ADMIN_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ app_metadata: { [`${actorType}_id`]: actorId } }),
    });
    await jsonBody(response, 200);
  }

  const outbox = async () => (await jsonBody(await worker.fetch("/__dev/outbox"), 200)).deliveries;

  /** The ids of the deliveries the outbox holds now: pass them to `resetTokenFor`. */
  async function outboxSeen() {
    return new Set((await outbox()).map((d) => d.delivery));
  }

  /** The first delivery of `event` for `email` not in `seen` (deliveries run in the background). */
  async function deliveryFor(event, email, seen) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const found = (await outbox()).find(
        (d) => d.event === event && d.data?.entity_id === email && !seen.has(d.delivery),
      );
      if (found) return found.data;
      await sleep(100);
    }
    assert.fail(`no new ${event} delivery for ${email} in the outbox`);
  }

  /** The token of a reset delivery for `email` not in `seen`. */
  const resetTokenFor = async (email, seen) => (await deliveryFor("auth.password_reset", email, seen)).token;

  /** The code of a verification delivery (`auth.verification_requested`) for `email` not in `seen`. */
  const verificationCodeFor = async (email, seen) =>
    (await deliveryFor("auth.verification_requested", email, seen)).code;

  return { ...worker, linkActor, outboxSeen, resetTokenFor, verificationCodeFor };
}
