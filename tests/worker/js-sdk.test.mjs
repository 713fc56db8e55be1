// The official @medusajs/js-sdk (2.21, a devDependency) in Node against the Worker in workerd: the auth
// calls a storefront makes (tests/js-sdk/scenarios.mjs), over real sockets. The same scenarios run in
// headless Chromium from another origin in tests/browser/js-sdk.test.mjs.

import Medusa from "@medusajs/js-sdk";
import { after, before, describe, test } from "node:test";
import { sdkFlows } from "../js-sdk/flows.mjs";
import { jwtSignUpAndSignIn, listProviders, mfaEnrolAndSignIn, resetAndUpdate, sessionFromSignUp, verifyEmailThenSignIn } from "../js-sdk/scenarios.mjs";
import { startSdkWorker } from "../js-sdk/stack.mjs";
import { TEST_TIMEOUT_MS } from "./harness.mjs";

describe("@medusajs/js-sdk in Node", { timeout: 6 * TEST_TIMEOUT_MS }, () => {
  let stack;
  before(async () => {
    stack = await startSdkWorker();
  });
  after(() => stack?.dispose());

  // Node has no localStorage: the SDK keeps its token in memory.
  const open = async (auth) =>
    sdkFlows(Medusa, { baseUrl: stack.url, auth: { ...auth, jwtTokenStorageMethod: "memory" } });

  test("JWT mode: register, login, refresh, logout", () => jwtSignUpAndSignIn(open, stack, "node-jwt@b.co"));

  // Node's fetch keeps no cookies: the session is opened (the sign-up case Medusa allows), not reused.
  test("session mode from sign-up: login opens a session before the customer exists", () =>
    sessionFromSignUp(open, stack, "node-session@b.co", { cookies: false }));

  test("listProviders", () => listProviders(open));

  test("resetPassword, then updateProvider with the delivered token", () =>
    resetAndUpdate(open, stack, "node-reset@b.co"));

  test("MFA: sdk.auth.mfa enrolment, login owes the challenge, TOTP and recovery codes, disable", () =>
    mfaEnrolAndSignIn(open, stack, "node-mfa@b.co"));

  test("email verification: login owes it, sdk.auth.verification request and confirm, then login", () =>
    verifyEmailThenSignIn(open, stack, "node-verify@b.co"));
});
