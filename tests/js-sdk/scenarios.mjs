// What a storefront does with the official @medusajs/js-sdk, step by step, with the answers Medusa 2.21
// gives. Each scenario takes `open(auth)`, which makes an SDK client (`tests/js-sdk/flows.mjs`) in the
// environment under test — in this Node process, or in a browser page on another origin — and the
// stack of `stack.mjs`. The SDK runs there; the assertions run here, so both environments meet the same.

import assert from "node:assert/strict";
import { TEST_JWT_SECRET, decodeJwt, verifyHs256 } from "../worker/harness.mjs";
import { nextTotp, totp } from "./totp.mjs";

const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "staple horse battery";

/** The SDK resolved; answers its value. */
function resolved(step, what) {
  assert.equal(step.error, undefined, `${what} threw: ${JSON.stringify(step.error)}`);
  return step.value;
}

/** The SDK threw an HTTP error of `status` with Medusa's `message`. */
function refused(step, status, message, what) {
  assert.ok(step.error, `${what} resolved ${JSON.stringify(step.value)}, expected ${status}`);
  assert.deepEqual(step.error, { status, message }, what);
}

/** A token the Worker signed (checked with node:crypto), decoded. */
function signed(token, what) {
  assert.equal(typeof token, "string", `${what}: ${JSON.stringify(token)}`);
  assert.ok(verifyHs256(token, TEST_JWT_SECRET), `${what}: signature`);
  return decodeJwt(token).payload;
}

/**
 * JWT mode: register (an actor-less token the SDK keeps), the app links the customer, login (a token
 * with the actor), refresh, logout; a wrong password and a taken email are refused with Medusa's messages.
 */
export async function jwtSignUpAndSignIn(open, stack, email) {
  const sdk = await open({ type: "jwt" });
  const registered = signed(resolved(await sdk.register("customer", "emailpass", { email, password: PASSWORD }), "register"), "register");
  assert.equal(registered.actor_id, "");
  assert.equal(registered.actor_type, "customer");
  assert.match(registered.auth_identity_id, /^authid_/);
  const kept = resolved(await sdk.storedToken(), "getToken");
  assert.equal(signed(kept, "kept").auth_identity_id, registered.auth_identity_id);

  refused(
    await sdk.register("customer", "emailpass", { email, password: "another password" }),
    401,
    "Identity with email already exists",
    "register a taken email",
  );
  refused(await sdk.login("customer", "emailpass", { email, password: "wrong password" }), 401, "Invalid email or password", "wrong password");

  const customerId = `cus_${registered.auth_identity_id.slice(-10)}`;
  await stack.linkActor(registered.auth_identity_id, "customer", customerId);

  const loginToken = resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "login");
  const loggedIn = signed(loginToken, "login");
  assert.equal(loggedIn.actor_id, customerId);
  assert.equal(loggedIn.auth_identity_id, registered.auth_identity_id);
  assert.equal(resolved(await sdk.storedToken(), "getToken"), loginToken);

  const refreshedBody = resolved(await sdk.refresh(), "refresh");
  assert.deepEqual(Object.keys(refreshedBody), ["token"]);
  const refreshed = signed(refreshedBody.token, "refresh");
  assert.equal(refreshed.actor_id, customerId);
  assert.equal(resolved(await sdk.storedToken(), "getToken"), refreshedBody.token);

  assert.equal(resolved(await sdk.logout(), "logout"), null);
  assert.ok(!resolved(await sdk.storedToken(), "getToken"), "logout clears the kept token");
  // Without a token, refresh is the middleware's 401.
  refused(await sdk.refresh(), 401, "Unauthorized", "refresh after logout");
  return { customerId, authIdentityId: registered.auth_identity_id };
}

/**
 * Session mode from sign-up (Medusa's storefront flow): register, then `login` — which posts the
 * actor-less token to /auth/session before the customer exists. With `cookies` (a browser), the session
 * cookie then authenticates: refresh after the app links the customer gives a token with the actor and a
 * new session, and logout ends it.
 */
export async function sessionFromSignUp(open, stack, email, { cookies }) {
  const sdk = await open({ type: "session" });
  const token = resolved(await sdk.register("customer", "emailpass", { email, password: PASSWORD }), "register");
  const registered = signed(token, "register");
  const signedIn = resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "session login");
  assert.equal(signed(signedIn, "session login").actor_id, "");
  if (!cookies) return;

  const before = resolved(await sdk.currentSession(), "GET /auth/session");
  assert.deepEqual(before.user, {
    actor_id: "",
    actor_type: "customer",
    auth_identity_id: registered.auth_identity_id,
    auth_provider: "emailpass",
    mfa_enabled: false,
    mfa_challenge_completed_at: null,
    app_metadata: {},
    user_metadata: {},
  });

  const customerId = `cus_${registered.auth_identity_id.slice(-10)}`;
  await stack.linkActor(registered.auth_identity_id, "customer", customerId);
  const refreshed = resolved(await sdk.refresh(), "refresh with the session cookie");
  assert.equal(signed(refreshed.token, "refresh").actor_id, customerId);
  const after = resolved(await sdk.currentSession(), "GET /auth/session after refresh");
  assert.equal(after.user.actor_id, customerId);

  assert.equal(resolved(await sdk.logout(), "logout"), null);
  refused(await sdk.currentSession(), 401, "Unauthorized", "GET /auth/session after logout");
}

/** listProviders: the providers the actor type may use, as Medusa 2.21 lists them. */
export async function listProviders(open) {
  const sdk = await open({ type: "jwt" });
  const emailpass = { id: "emailpass", identifier: "emailpass", display_name: "Email/Password Authentication", flow: "credentials" };
  assert.deepEqual(resolved(await sdk.listProviders("customer"), "listProviders"), { providers: [emailpass] });
  assert.deepEqual(resolved(await sdk.listProviders("vendor"), "listProviders (not configured)"), { providers: [] });
}

/**
 * resetPassword (201, the token delivered to the development outbox) and updateProvider with that
 * token: the old password stops working, the new one works, and the token is single use.
 */
export async function resetAndUpdate(open, stack, email) {
  const sdk = await open({ type: "jwt" });
  resolved(await sdk.register("customer", "emailpass", { email, password: PASSWORD }), "register");
  const seen = await stack.outboxSeen();
  // resetPassword resolves nothing: any 2xx (Medusa's 201) is success, anything else throws.
  assert.equal(resolved(await sdk.resetPassword("customer", "emailpass", { identifier: email }), "resetPassword"), null);
  const resetToken = await stack.resetTokenFor(email, seen);

  assert.equal(
    resolved(await sdk.updateProvider("customer", "emailpass", { password: NEW_PASSWORD }, resetToken), "updateProvider"),
    null,
  );
  refused(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), 401, "Invalid email or password", "old password");
  signed(resolved(await sdk.login("customer", "emailpass", { email, password: NEW_PASSWORD }), "new password"), "login");
  refused(
    await sdk.updateProvider("customer", "emailpass", { password: "a third password" }, resetToken),
    401,
    "Invalid token",
    "reset token used twice",
  );
}

/**
 * MFA through `sdk.auth.mfa.*` (JWT mode): a signed-in customer enrols a TOTP factor (start → verify with
 * a code computed here from the secret), makes recovery codes; `login` then answers
 * `{mfa_required, mfa_challenge, token}` and keeps the pending token, which opens nothing but the
 * challenge; `verifyChallenge` with a TOTP code keeps the real token; a recovery code passes one challenge
 * and is refused at the next; `disable` switches MFA off and `login` answers a plain token again.
 */
export async function mfaEnrolAndSignIn(open, stack, email) {
  const sdk = await open({ type: "jwt" });
  const registered = signed(resolved(await sdk.register("customer", "emailpass", { email, password: PASSWORD }), "register"), "register");
  const customerId = `cus_${registered.auth_identity_id.slice(-10)}`;
  await stack.linkActor(registered.auth_identity_id, "customer", customerId);
  signed(resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "login"), "login");

  assert.deepEqual(resolved(await sdk.mfaList(), "mfa.list"), { mfa_factors: [] });
  const started = resolved(await sdk.mfaStart({ provider: "totp", label: email }), "mfa.start");
  assert.deepEqual(Object.keys(started).sort(), ["mfa_factor", "otpauth_url", "secret"]);
  assert.equal(started.mfa_factor.status, "pending");
  assert.match(started.mfa_factor.id, /^authmfa_/);
  assert.match(started.secret, /^[A-Z2-7]{32}$/);
  assert.equal(
    started.otpauth_url,
    `otpauth://totp/Medusa:${encodeURIComponent(email)}?secret=${started.secret}&issuer=Medusa&algorithm=SHA1&digits=6&period=30`,
  );
  const factorId = started.mfa_factor.id;
  // A code of another step far away is wrong.
  refused(await sdk.mfaVerify(factorId, { code: totp(started.secret, Date.now() / 1000 - 3600) }), 400, "Invalid TOTP code", "mfa.verify, wrong code");
  const verified = resolved(await sdk.mfaVerify(factorId, { code: totp(started.secret) }), "mfa.verify");
  assert.equal(verified.mfa_factor.id, factorId);
  assert.equal(verified.mfa_factor.status, "enabled");
  assert.ok(!JSON.stringify(verified).includes(started.secret), "the secret is shown once");

  const { recovery_codes: codes } = resolved(await sdk.mfaRecoveryCodes(), "mfa.generateRecoveryCodes");
  assert.equal(codes.length, 10);
  for (const code of codes) assert.match(code, /^[0-9a-f]{4}(-[0-9a-f]{4}){7}$/);

  // Sign-in owes the challenge: the SDK answers {mfa_required, mfa_challenge, token} and keeps the token.
  const owed = resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "login with MFA");
  assert.deepEqual(Object.keys(owed).sort(), ["mfa_challenge", "mfa_required", "token"]);
  assert.equal(owed.mfa_required, true);
  assert.match(owed.mfa_challenge.id, /^authmfachal_/);
  assert.deepEqual(owed.mfa_challenge.methods, ["totp", "recovery_code"]);
  assert.equal(owed.mfa_challenge.auth_identity_id, registered.auth_identity_id);
  const pending = signed(owed.token, "pending token");
  assert.equal(pending.actor_id, "");
  assert.equal(pending.mfa_enabled, true);
  assert.equal(pending.mfa_challenge_completed_at, null);
  assert.equal(resolved(await sdk.storedToken(), "getToken"), owed.token);
  refused(await sdk.mfaList(), 401, "Unauthorized", "mfa.list with the pending token");
  refused(await sdk.mfaDisable(factorId), 401, "Unauthorized", "mfa.disable with the pending token");

  // The enrolment used this step's code (a replay is refused): answer with the next step's.
  const passedToken = resolved(
    await sdk.mfaVerifyChallenge(owed.mfa_challenge.id, { method: "totp", code: nextTotp(started.secret) }),
    "mfa.verifyChallenge (totp)",
  );
  const passed = signed(passedToken, "challenge token");
  assert.equal(passed.actor_id, customerId);
  assert.equal(passed.mfa_enabled, true);
  assert.match(passed.mfa_challenge_completed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(resolved(await sdk.storedToken(), "getToken"), passedToken, "verifyChallenge keeps the token");
  assert.equal(resolved(await sdk.mfaList(), "mfa.list after the challenge").mfa_factors.length, 1);

  // A recovery code passes one challenge; the same code is refused at the next.
  const second = resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "login (recovery)");
  const recovered = signed(
    resolved(await sdk.mfaVerifyChallenge(second.mfa_challenge.id, { method: "recovery_code", code: codes[3] }), "recovery code"),
    "recovery token",
  );
  assert.equal(recovered.actor_id, customerId);
  const third = resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "login (recovery again)");
  refused(
    await sdk.mfaVerifyChallenge(third.mfa_challenge.id, { method: "recovery_code", code: codes[3] }),
    400,
    "Invalid MFA challenge code",
    "a recovery code used twice",
  );
  // The refused answer kept the pending token: pass the challenge with another code, then disable.
  resolved(await sdk.mfaVerifyChallenge(third.mfa_challenge.id, { method: "recovery_code", code: codes[4] }), "another recovery code");
  const disabled = resolved(await sdk.mfaDisable(factorId), "mfa.disable");
  assert.equal(disabled.mfa_factor.status, "disabled");
  const plain = signed(resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "login after disable"), "plain");
  assert.equal(plain.actor_id, customerId);
  assert.equal(plain.mfa_enabled, false);
}

/**
 * MFA in session mode (a browser, with cookies): `login` posts the pending token to /auth/session, so the
 * session owes the challenge and opens nothing else; `verifyChallenge` answers through that session and
 * posts the real token to /auth/session, which then carries the actor and the completed challenge.
 */
export async function mfaInSessionMode(open, stack, email) {
  const sdk = await open({ type: "session" });
  const registered = signed(resolved(await sdk.register("customer", "emailpass", { email, password: PASSWORD }), "register"), "register");
  const customerId = `cus_${registered.auth_identity_id.slice(-10)}`;
  await stack.linkActor(registered.auth_identity_id, "customer", customerId);
  signed(resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "session login"), "login");
  const started = resolved(await sdk.mfaStart({ provider: "totp" }), "mfa.start through the session");
  assert.equal(resolved(await sdk.mfaVerify(started.mfa_factor.id, { code: totp(started.secret) }), "mfa.verify").mfa_factor.status, "enabled");

  const owed = resolved(await sdk.login("customer", "emailpass", { email, password: PASSWORD }), "session login with MFA");
  assert.equal(owed.mfa_required, true);
  const pendingSession = resolved(await sdk.currentSession(), "GET /auth/session while the challenge is owed").user;
  assert.equal(pendingSession.actor_id, "");
  assert.equal(pendingSession.mfa_enabled, true);
  assert.equal(pendingSession.mfa_challenge_completed_at, null);
  refused(await sdk.mfaList(), 401, "Unauthorized", "mfa.list through the pending session");

  const token = resolved(
    await sdk.mfaVerifyChallenge(owed.mfa_challenge.id, { method: "totp", code: nextTotp(started.secret) }),
    "mfa.verifyChallenge through the session",
  );
  assert.equal(signed(token, "challenge token").actor_id, customerId);
  const session = resolved(await sdk.currentSession(), "GET /auth/session after the challenge").user;
  assert.equal(session.actor_id, customerId);
  assert.equal(session.mfa_enabled, true);
  assert.match(session.mfa_challenge_completed_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(resolved(await sdk.mfaList(), "mfa.list through the session").mfa_factors.length, 1);
  assert.equal(resolved(await sdk.logout(), "logout"), null);
  refused(await sdk.currentSession(), 401, "Unauthorized", "GET /auth/session after logout");
}

/**
 * Email verification through `sdk.auth.verification.*` (JWT mode), for an actor type whose sign-ins owe a
 * confirmed email (AUTH_VERIFICATIONS_PER_ACTOR, set for `user` in stack.mjs): `login` answers
 * `{verification_required, verification, token}` and keeps the actor-less token; `verification.request`
 * with that token answers the verification (no code: it goes to the signed webhook, here the development
 * outbox); a wrong code is refused, `verification.confirm` with the delivered one answers the confirmed
 * entity; `login` then gives a plain token with the actor, and the same code is refused again.
 */
export async function verifyEmailThenSignIn(open, stack, email) {
  const sdk = await open({ type: "jwt" });
  const registered = signed(resolved(await sdk.register("user", "emailpass", { email, password: PASSWORD }), "register"), "register");
  const userId = `user_${registered.auth_identity_id.slice(-10)}`;
  await stack.linkActor(registered.auth_identity_id, "user", userId);

  const owed = resolved(await sdk.login("user", "emailpass", { email, password: PASSWORD }), "login owing verification");
  assert.equal(owed.verification_required, true, JSON.stringify(owed));
  assert.equal(owed.verification ?? null, null, "nothing requested yet");
  const pending = signed(owed.token, "pending token");
  assert.equal(pending.actor_id, "", "the token is actor-less until the email is confirmed");
  assert.equal(pending.auth_identity_id, registered.auth_identity_id);
  assert.equal(resolved(await sdk.storedToken(), "getToken"), owed.token, "login keeps the pending token");

  const seen = await stack.outboxSeen();
  const { verification } = resolved(
    await sdk.verificationRequest({ entity_id: email, entity_type: "email" }),
    "verification.request",
  );
  assert.match(verification.id, /^authver_/);
  assert.equal(verification.auth_identity_id, registered.auth_identity_id);
  assert.equal(verification.entity_id, email);
  assert.equal(verification.entity_type, "email");
  assert.equal(verification.code_provider, "token");
  assert.equal(verification.verified_at, null);
  assert.equal(verification.code, undefined, "the code goes to the webhook only");
  const code = await stack.verificationCodeFor(email, seen);
  assert.equal(typeof code, "string");

  // Still owed; the answer now names the requested verification.
  const again = resolved(await sdk.login("user", "emailpass", { email, password: PASSWORD }), "login before confirming");
  assert.equal(again.verification_required, true);
  assert.equal(again.verification.id, verification.id);
  assert.equal(again.verification.verified_at, null);

  refused(
    await sdk.verificationConfirm({ code: `${code.slice(0, -1)}${code.endsWith("A") ? "B" : "A"}` }),
    400,
    "Verification code is invalid or already used",
    "verification.confirm, wrong code",
  );
  const confirmed = resolved(await sdk.verificationConfirm({ code }), "verification.confirm");
  assert.deepEqual(Object.keys(confirmed).sort(), ["code_provider", "entity_id", "entity_type", "verified_at"]);
  assert.equal(confirmed.entity_id, email);
  assert.equal(confirmed.entity_type, "email");
  assert.equal(confirmed.code_provider, "token");
  assert.match(confirmed.verified_at, /^\d{4}-\d\d-\d\dT/);

  const token = resolved(await sdk.login("user", "emailpass", { email, password: PASSWORD }), "login after confirming");
  const signedIn = signed(token, "login");
  assert.equal(signedIn.actor_id, userId);
  assert.equal(signedIn.actor_type, "user");
  assert.equal(resolved(await sdk.storedToken(), "getToken"), token);

  refused(
    await sdk.verificationConfirm({ code }),
    400,
    "Verification code is invalid or already used",
    "a verification code used twice",
  );
}
