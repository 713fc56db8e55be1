// The official @medusajs/js-sdk bundled for the browser (tests/js-sdk/bundle.mjs), on a storefront page
// served from a second origin that AUTH_CORS allows, in headless Chromium against the Worker in workerd:
// the scenarios of tests/js-sdk/scenarios.mjs, cookies (session mode) included. A third origin, not
// allowed, is refused by the browser. The same scenarios run in Node in tests/worker/js-sdk.test.mjs.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bundleSdk, serveStorefront } from "../js-sdk/bundle.mjs";
import { jwtSignUpAndSignIn, listProviders, mfaEnrolAndSignIn, mfaInSessionMode, resetAndUpdate, sessionFromSignUp, verifyEmailThenSignIn } from "../js-sdk/scenarios.mjs";
import { startSdkWorker } from "../js-sdk/stack.mjs";
import { launchBrowser } from "./stack.mjs";

describe("@medusajs/js-sdk in Chromium, from another origin", { timeout: 240_000 }, () => {
  let storefront;
  let stranger;
  let stack;
  let chromium;
  before(async () => {
    const bundle = await bundleSdk();
    storefront = await serveStorefront(bundle);
    stranger = await serveStorefront(bundle);
    stack = await startSdkWorker({ AUTH_CORS: storefront.origin });
    chromium = await launchBrowser();
  });
  after(async () => {
    await chromium?.browser.close();
    await stack?.dispose();
    await storefront?.close();
    await stranger?.close();
  });

  /** A page of `site`; `open(auth)` makes an SDK client in it whose steps run there. */
  async function storefrontPage(site) {
    const page = await chromium.newPage();
    await page.goto(`${site.origin}/`);
    const open = async (auth) => {
      const index = await page.evaluate((options) => window.openSdk(options), { baseUrl: stack.url, auth });
      const call = (step) => (...args) => page.evaluate(([i, s, a]) => window.sdkCall(i, s, a), [index, step, args]);
      // No `then`: the proxy is awaited, and must not look like a promise.
      return new Proxy({}, { get: (_, step) => (step === "then" ? undefined : call(step)) });
    };
    return { page, open };
  }

  test("JWT mode: register, login, refresh, logout", async () => {
    const { open } = await storefrontPage(storefront);
    await jwtSignUpAndSignIn(open, stack, "browser-jwt@b.co");
  });

  test("session mode from sign-up: the session cookie authenticates, refresh links the actor, logout ends it", async () => {
    const { open } = await storefrontPage(storefront);
    await sessionFromSignUp(open, stack, "browser-session@b.co", { cookies: true });
  });

  test("resetPassword, then updateProvider with the delivered token", async () => {
    const { open } = await storefrontPage(storefront);
    await resetAndUpdate(open, stack, "browser-reset@b.co");
  });

  test("MFA: sdk.auth.mfa enrolment, login owes the challenge, TOTP and recovery codes, disable", async () => {
    const { open } = await storefrontPage(storefront);
    await mfaEnrolAndSignIn(open, stack, "browser-mfa@b.co");
  });

  test("MFA in session mode: the session owes the challenge, verifyChallenge completes it through the cookie", async () => {
    const { open } = await storefrontPage(storefront);
    await mfaInSessionMode(open, stack, "browser-mfa-session@b.co");
  });

  test("email verification: login owes it, sdk.auth.verification request and confirm, then login", async () => {
    const { open } = await storefrontPage(storefront);
    await verifyEmailThenSignIn(open, stack, "browser-verify@b.co");
  });

  test("listProviders", async () => {
    const { open } = await storefrontPage(storefront);
    await listProviders(open);
  });

  test("an origin AUTH_CORS does not allow cannot read the answers", async () => {
    const { open } = await storefrontPage(stranger);
    const sdk = await open({ type: "jwt" });
    const step = await sdk.login("customer", "emailpass", { email: "x@b.co", password: "whatever pass" });
    assert.deepEqual(step.error, { status: null, message: "Failed to fetch" });
  });

  after(() => assert.deepEqual(chromium?.problems ?? [], []));
});
