// The sign-in page (www/) end to end in headless Chromium, served by the built Worker under `wrangler dev`:
// the password flows with the dev-only outbox, third-party sign-in through the local OpenID Provider's
// login and consent pages, keyboard-only use, the security headers, two-factor authentication (enrolment
// with the page's own QR code, read back and decoded here, recovery codes, the sign-in's challenge), email
// verification (a user's sign-in owes it: send a code, read it from the dev outbox, confirm), and the
// in-browser mode running the npm package. Screenshots of each state go to test-artifacts/www/ (git-ignored).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { nextTotp, totp } from "../js-sdk/totp.mjs";
import { gridFromSvg, readQr } from "./qr-read.mjs";
import { OIDC_ID, launchBrowser, screenshot, startStack } from "./stack.mjs";

const TEST_TIMEOUT_MS = 60_000;
const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "staple gun elephant";
const CHANGED_PASSWORD = "purple monkey dishwasher";

let stack;
let chromium;
const shots = [];

async function shot(page, name) {
  shots.push(await screenshot(page, name));
}

/** A fresh page (own cookies and memory) on the sign-in page, once app.js has drawn it. */
async function openPage(path = "/") {
  const page = await chromium.newPage();
  await page.goto(new URL(path, stack.origin).href);
  await page.waitForSelector("html[data-ready=true]");
  return page;
}

const visibleView = (page) => page.locator("section[data-view]:not([hidden])").getAttribute("data-view");

/** Asserts the view shown and that focus went to its heading (what a screen reader announces). */
async function expectView(page, name) {
  await page.waitForSelector(`section[data-view=${name}]:not([hidden])`);
  assert.equal(await visibleView(page), name);
}

const fieldError = (page, id) => page.locator(`#${id}-error`).textContent();
const noticeText = (page) => page.locator("#notice").textContent();

async function registerViaApi(email, password) {
  const response = await fetch(`${stack.origin}/auth/customer/emailpass/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(response.status, 200, await response.text());
}

/** Nothing of the session may be left in web storage or cookies readable by scripts. */
async function assertNoTokenStored(page) {
  const stored = await page.evaluate(() => ({
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
  }));
  assert.deepEqual(stored, { local: 0, session: 0, cookie: "" });
}

describe("the sign-in page in headless Chromium", { timeout: 10 * TEST_TIMEOUT_MS }, () => {
  before(async () => {
    stack = await startStack();
    chromium = await launchBrowser();
  });
  after(async () => {
    await chromium?.browser.close().catch(() => {});
    await stack?.stop();
    if (shots.length) console.log(`screenshots:\n  ${shots.join("\n  ")}`);
  });

  test("the page is served with a strict CSP and no-referrer", { timeout: TEST_TIMEOUT_MS }, async () => {
    for (const path of ["/", "/local"]) {
      const response = await fetch(new URL(path, stack.origin));
      assert.equal(response.status, 200, path);
      const csp = response.headers.get("content-security-policy") ?? "";
      const directives = new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
      assert.deepEqual(directives.get("default-src"), ["'self'"], csp);
      assert.deepEqual(directives.get("frame-ancestors"), ["'none'"], csp);
      assert.deepEqual(directives.get("object-src"), ["'none'"], csp);
      assert.deepEqual(directives.get("style-src"), ["'self'"], csp);
      // Only the in-browser mode may compile WebAssembly; nothing may run inline or eval.
      const scripts = path === "/local" ? ["'self'", "'wasm-unsafe-eval'"] : ["'self'"];
      assert.deepEqual(directives.get("script-src"), scripts, csp);
      assert.ok(!/unsafe-inline|unsafe-eval'|\*/.test(csp.replace("'wasm-unsafe-eval'", "")), csp);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.equal(response.headers.get("referrer-policy"), "no-referrer");
      const html = await response.text();
      assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), `${path} has an inline script`);
      assert.ok(!/\sstyle=|<style/i.test(html), `${path} has an inline style`);
      assert.ok(!/\son[a-z]+=/i.test(html), `${path} has an inline event handler`);
    }
    // The API is the Worker's, not an asset: it never gets the page's headers, and the outbox is dev-only.
    const api = await fetch(`${stack.origin}/auth/providers`);
    assert.equal(api.headers.get("content-security-policy"), null);
    assert.equal((await api.json()).dev, true);
  });

  test("register → sign out → sign in → wrong password → reset via the dev outbox → sign in with the new password", { timeout: 3 * TEST_TIMEOUT_MS }, async () => {
    const email = "jane@example.com";
    const page = await openPage();
    await expectView(page, "signin");
    assert.equal(await page.locator("#signin-email").getAttribute("autocomplete"), "username");
    assert.equal(await page.locator("#signin-password").getAttribute("autocomplete"), "current-password");
    assert.ok(await page.locator("#dev-outbox").isVisible(), "the DEV ONLY panel shows in development");
    await shot(page, "01-sign-in");

    // Register, holding the request back a moment to see the busy button (PBKDF2 runs meanwhile).
    await page.getByRole("button", { name: "Create an account" }).click();
    await expectView(page, "register");
    assert.equal(await page.locator("#register-password").getAttribute("autocomplete"), "new-password");
    await page.fill("#register-email", email);
    await page.fill("#register-password", PASSWORD);
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await page.route(
      "**/auth/customer/emailpass/register",
      async (route) => {
        await held;
        await route.continue();
      },
      { times: 1 },
    );
    const registered = page.waitForResponse("**/auth/customer/emailpass/register");
    await page.click("#register-form button[type=submit]");
    const busy = page.locator("#register-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#register-form button[type=submit]").disabled);
    assert.equal(await busy.textContent(), "Creating account…");
    assert.equal(await page.locator("#register-form").getAttribute("aria-busy"), "true");
    await shot(page, "02-register-busy");
    release();
    assert.equal((await registered).status(), 200);

    await expectView(page, "account");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "account-title");
    const claims = JSON.parse(await page.locator("#claims").textContent());
    assert.equal(claims.actor_type, "customer");
    assert.equal(claims.actor_id, "");
    assert.match(claims.auth_identity_id, /^authid_/);
    assert.match(await page.locator("#identity").textContent(), /jane@example\.com/);
    await assertNoTokenStored(page);
    await shot(page, "03-signed-in");

    // Refresh the token.
    await page.click("#refresh");
    await page.waitForFunction(() => /Token refreshed/.test(document.querySelector("#notice").textContent));

    // Sign out, then in again.
    await page.click("#signout");
    await expectView(page, "signin");
    assert.equal(await noticeText(page), "You are signed out.");
    assert.equal(await page.inputValue("#signin-email"), email, "the email is kept");
    await shot(page, "04-signed-out");
    await page.fill("#signin-password", PASSWORD);
    await page.click("#signin-form button[type=submit]");
    await expectView(page, "account");
    await page.click("#signout");

    // A wrong password: the message sits next to the password, the email stays, the password is emptied.
    await page.fill("#signin-email", "Jane@Example.com");
    await page.fill("#signin-password", "not the password");
    await page.click("#signin-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#signin-password-error").textContent !== "");
    assert.equal(await fieldError(page, "signin-password"), "Invalid email or password");
    assert.equal(await page.locator("#signin-password").getAttribute("aria-invalid"), "true");
    assert.equal(await page.inputValue("#signin-email"), "Jane@Example.com");
    assert.equal(await page.inputValue("#signin-password"), "");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "signin-password");
    await shot(page, "05-wrong-password");

    // Forgot password → the Worker delivers to its dev-only outbox → the panel shows the link.
    await page.getByRole("button", { name: "Forgot your password?" }).click();
    await expectView(page, "forgot");
    assert.equal(await page.inputValue("#forgot-email"), "Jane@Example.com", "the email carries over");
    await shot(page, "06-forgot-password");
    await page.click("#forgot-form button[type=submit]");
    await expectView(page, "signin");
    assert.match(await noticeText(page), /a link to choose a new password is on its way/);
    const link = page.locator("#dev-outbox-list a.outbox-link").first();
    await link.waitFor({ timeout: 15_000 });
    assert.match(await page.locator("#dev-outbox-list").textContent(), /Password reset for jane@example\.com/);
    await shot(page, "07-dev-outbox");

    // Follow the link: the reset form, for this account; the token leaves the address bar at once.
    await link.click();
    await expectView(page, "reset");
    assert.equal(new URL(page.url()).hash, "");
    assert.equal(await page.locator("#reset-for").textContent(), "For jane@example.com.");
    await page.fill("#reset-password", "short");
    await page.click("#reset-form button[type=submit]");
    assert.equal(await fieldError(page, "reset-password"), "That is 5 characters: use at least 8.");
    await shot(page, "08-reset-too-short");
    await page.fill("#reset-password", NEW_PASSWORD);
    await page.click("#reset-form button[type=submit]");
    await expectView(page, "signin");
    assert.equal(await noticeText(page), "Your password has been changed. Sign in with the new one.");
    assert.equal(await page.inputValue("#signin-email"), email);
    await shot(page, "09-password-reset");

    // The old password is gone, the new one works.
    await page.fill("#signin-password", PASSWORD);
    await page.click("#signin-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#signin-password-error").textContent !== "");
    await page.fill("#signin-password", NEW_PASSWORD);
    await page.click("#signin-form button[type=submit]");
    await expectView(page, "account");

    // The same reset link a second time: single use.
    await link.click();
    await expectView(page, "reset");
    await page.fill("#reset-password", "another long password");
    await page.click("#reset-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#reset-form .form-error").textContent !== "");
    assert.match(await page.locator("#reset-form .form-error").textContent(), /invalid, expired or already used/);
    await shot(page, "10-reset-link-used");
    await page.close();
  });

  test("change password while signed in; a wrong current password is shown next to it", { timeout: TEST_TIMEOUT_MS }, async () => {
    const email = "carol@example.com";
    await registerViaApi(email, PASSWORD);
    const page = await openPage();
    await page.fill("#signin-email", email);
    await page.fill("#signin-password", PASSWORD);
    await page.click("#signin-form button[type=submit]");
    await expectView(page, "account");
    const before = await page.locator("#claims").textContent();

    await page.getByRole("button", { name: "Change password" }).click();
    await expectView(page, "change");
    assert.equal(await page.locator("#change-current").getAttribute("autocomplete"), "current-password");
    assert.equal(await page.locator("#change-password").getAttribute("autocomplete"), "new-password");
    await page.fill("#change-current", "not my password");
    await page.fill("#change-password", CHANGED_PASSWORD);
    await page.click("#change-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#change-current-error").textContent !== "");
    assert.equal(await fieldError(page, "change-current"), "The current password is not correct");
    assert.equal(await page.inputValue("#change-current"), "");
    assert.equal(await page.inputValue("#change-password"), "");
    await shot(page, "11-change-password-wrong-current");

    await page.fill("#change-current", PASSWORD);
    await page.fill("#change-password", CHANGED_PASSWORD);
    await page.click("#change-form button[type=submit]");
    await expectView(page, "account");
    assert.match(await noticeText(page), /Your password has been changed/);
    assert.notEqual(await page.locator("#claims").textContent(), before, "a new token");
    await shot(page, "12-password-changed");
    // The new token works for refresh.
    await page.click("#refresh");
    await page.waitForFunction(() => /Token refreshed/.test(document.querySelector("#notice").textContent));
    await page.close();
  });

  test("registering a taken email shows the message next to the email and keeps it", { timeout: TEST_TIMEOUT_MS }, async () => {
    await registerViaApi("taken@example.com", PASSWORD);
    const page = await openPage();
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.fill("#register-email", "taken@example.com");
    await page.fill("#register-password", "a different password");
    await page.click("#register-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#register-email-error").textContent !== "");
    assert.equal(await fieldError(page, "register-email"), "Identity with email already exists");
    assert.equal(await page.inputValue("#register-email"), "taken@example.com");
    assert.equal(await page.inputValue("#register-password"), "");
    await shot(page, "13-register-taken");
    await page.close();
  });

  test("third-party sign-in through the local OpenID Provider (redirect mode)", { timeout: TEST_TIMEOUT_MS }, async () => {
    const page = await openPage();
    const button = page.getByRole("link", { name: "Continue with Corp" });
    const href = new URL(await button.getAttribute("href"), stack.origin);
    assert.equal(href.pathname, `/auth/customer/${OIDC_ID}`);
    assert.equal(href.searchParams.get("return_to"), stack.page);
    await button.click();

    // oidc-provider's development login page, then its consent page.
    await page.waitForURL((url) => url.href.startsWith(stack.op.issuer));
    await page.waitForSelector("input[name=login]");
    await shot(page, "14-provider-login");
    await page.fill("input[name=login]", "jane");
    await page.fill("input[name=password]", "any");
    await page.click("button[type=submit]");
    await page.waitForSelector("button[type=submit]:has-text('Continue')");
    await shot(page, "15-provider-consent");
    await page.click("button[type=submit]:has-text('Continue')");

    // Back on the page, signed in; the token has left the URL.
    await page.waitForURL((url) => url.href.startsWith(stack.origin));
    await page.waitForSelector("html[data-ready=true]");
    await expectView(page, "account");
    assert.equal(page.url(), stack.page, "no #token=… left in the address bar");
    assert.equal(await page.evaluate(() => location.hash), "");
    const claims = JSON.parse(await page.locator("#claims").textContent());
    assert.equal(claims.actor_type, "customer");
    assert.match(claims.auth_identity_id, /^authid_/);
    assert.match(await page.locator("#identity").textContent(), /A third-party provider/);
    assert.ok(!(await page.getByRole("button", { name: "Change password" }).isVisible()), "no password to change");
    await assertNoTokenStored(page);
    await shot(page, "16-provider-signed-in");

    // A failed flow comes back with ?error=…, shown by the buttons and removed from the URL.
    await page.goto(`${stack.page}?error=${encodeURIComponent("access_denied: <b>nope</b>")}`);
    await page.waitForSelector("html[data-ready=true]");
    assert.equal(await page.locator("#providers-error").textContent(), "Sign-in with the provider failed: access_denied: <b>nope</b>");
    assert.equal(page.url(), stack.page);
    await shot(page, "17-provider-error");
    await page.close();
  });

  test("keyboard only: Tab to the fields, type, Enter signs in; focus is always visible", { timeout: TEST_TIMEOUT_MS }, async () => {
    const email = "kim@example.com";
    await registerViaApi(email, PASSWORD);
    const page = await openPage();
    const active = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    const focusRing = () =>
      page.evaluate(() => {
        const style = getComputedStyle(document.activeElement);
        return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
      });

    // The first Tab reaches the skip link, which is then visible; Enter on it moves focus to the form.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.className), "skip-link");
    assert.ok(await focusRing(), "the skip link shows focus");
    await page.keyboard.press("Enter");
    for (let presses = 0; (await active()) !== "signin-email"; presses++) {
      assert.ok(presses < 10, `Tab never reached the email field (at ${await active()})`);
      await page.keyboard.press("Tab");
    }
    assert.ok(await focusRing(), "the email field shows focus");
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    assert.equal(await active(), "signin-password");
    await page.keyboard.type("wrong password");
    await shot(page, "18-keyboard-focus");
    await page.keyboard.press("Enter");
    // The error takes focus back to the password field, ready to retype.
    await page.waitForFunction(() => document.activeElement?.id === "signin-password" && document.querySelector("#signin-password-error").textContent);
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await expectView(page, "account");
    assert.equal(await active(), "account-title");
    // Onwards by keyboard: Tab reaches the account actions, Enter signs out.
    for (let presses = 0; (await active()) !== "signout"; presses++) {
      assert.ok(presses < 10, `Tab never reached Sign out (at ${await active()})`);
      await page.keyboard.press("Tab");
    }
    assert.ok(await focusRing(), "the button shows focus");
    await shot(page, "19-keyboard-signed-in");
    await page.keyboard.press("Enter");
    await expectView(page, "signin");
    await page.close();
  });

  test("in-browser mode: the npm package registers and signs in with no Worker", { timeout: 2 * TEST_TIMEOUT_MS }, async () => {
    const page = await openPage("/local.html");
    assert.equal(new URL(page.url()).pathname, "/local");
    await expectView(page, "signin");
    // From here on, no request may leave the page: everything runs in wasm with a MemoryStore.
    const requests = [];
    page.on("request", (request) => {
      if (!request.url().endsWith("/favicon.svg")) requests.push(request.url());
    });

    await page.getByRole("button", { name: "Create an account" }).click();
    await page.fill("#register-email", "local@example.com");
    await page.fill("#register-password", PASSWORD);
    await page.click("#register-form button[type=submit]");
    await expectView(page, "account");
    const identity = JSON.parse(await page.locator("#auth-identity").textContent());
    assert.match(identity.id, /^authid_/);
    assert.equal(identity.provider_identities[0].entity_id, "local@example.com");
    assert.ok(!JSON.stringify(identity).includes("$pbkdf2"), "the hash never leaves the package");
    assert.match(await page.locator("#timing").textContent(), /Register: \d+ ms in WebAssembly/);
    await shot(page, "20-local-registered");

    await page.click("#signout");
    await page.fill("#signin-password", "wrong password");
    await page.click("#signin-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#signin-password-error").textContent !== "");
    assert.equal(await fieldError(page, "signin-password"), "Invalid email or password");
    assert.equal(await page.inputValue("#signin-email"), "local@example.com");
    await shot(page, "21-local-wrong-password");

    await page.fill("#signin-password", PASSWORD);
    await page.click("#signin-form button[type=submit]");
    await expectView(page, "account");
    assert.equal(JSON.parse(await page.locator("#auth-identity").textContent()).id, identity.id);
    await shot(page, "22-local-signed-in");
    assert.deepEqual(requests, [], "nothing was sent anywhere");
    await assertNoTokenStored(page);
    await page.close();
  });

  test("two-factor authentication: enrol with the QR code and key, recovery codes once, a sign-in owes a code (by keyboard), a recovery code works once, turn it off", { timeout: 3 * TEST_TIMEOUT_MS }, async () => {
    const email = "mfa@example.com";
    await registerViaApi(email, PASSWORD);
    const page = await openPage();
    const signIn = async () => {
      await page.fill("#signin-email", email);
      await page.fill("#signin-password", PASSWORD);
      await page.click("#signin-form button[type=submit]");
    };
    await signIn();
    await expectView(page, "account");
    await page.locator("#mfa-panel").waitFor({ state: "visible" });
    assert.match(await page.locator("#mfa-status").textContent(), /^Off/);
    assert.ok(await page.locator("#mfa-disable").isHidden());

    // Enrol: the QR code (an SVG drawn by the page) and the key as text; focus on the view's heading.
    await page.click("#mfa-setup");
    await expectView(page, "mfa-enrol");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "mfa-enrol-title");
    const secret = (await page.locator("#mfa-secret").textContent()).replaceAll(" ", "");
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const svg = page.locator("#mfa-qr svg");
    assert.equal(await svg.getAttribute("role"), "img");
    assert.equal(await svg.getAttribute("aria-label"), "QR code for your authenticator app");
    const drawn = { viewBox: await svg.getAttribute("viewBox"), d: await svg.locator("path").getAttribute("d") };
    // Read back and decoded here (tests/browser/qr-read.mjs): the otpauth URL the Worker answered.
    const qr = readQr(gridFromSvg(drawn));
    assert.equal(
      qr.text,
      `otpauth://totp/Medusa:${encodeURIComponent(email)}?secret=${secret}&issuer=Medusa&algorithm=SHA1&digits=6&period=30`,
    );
    assert.equal(qr.level, "M");
    // The smallest version that holds the URL at level M (byte-mode capacities, ISO/IEC 18004 table 7).
    const capacityM = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213];
    assert.equal(qr.version, capacityM.findIndex((c) => c >= qr.text.length) + 1);
    // The reader is not vacuous: one data module flipped and the Reed–Solomon check refuses it.
    const flipped = gridFromSvg(drawn);
    flipped[20][20] = !flipped[20][20];
    assert.throws(() => readQr(flipped), /syndrome/);
    await shot(page, "23-mfa-enrol");

    // A wrong code: next to the field, focus there, the field emptied.
    await page.fill("#mfa-enrol-code", totp(secret, Date.now() / 1000 - 3600));
    await page.click("#mfa-enrol-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#mfa-enrol-code-error").textContent !== "");
    assert.equal(await fieldError(page, "mfa-enrol-code"), "Invalid TOTP code");
    assert.equal(await page.locator("#mfa-enrol-code").getAttribute("aria-invalid"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "mfa-enrol-code");
    assert.equal(await page.inputValue("#mfa-enrol-code"), "");
    await shot(page, "24-mfa-enrol-wrong-code");
    await page.fill("#mfa-enrol-code", totp(secret));
    await page.click("#mfa-enrol-form button[type=submit]");

    // The recovery codes, once; the key and QR code are gone from the page.
    await expectView(page, "mfa-recovery");
    const codes = await page.locator("#mfa-recovery-list li").allTextContents();
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, /^[0-9a-f]{4}(-[0-9a-f]{4}){7}$/);
    assert.equal(await page.locator("#mfa-qr svg").count(), 0);
    assert.equal(await page.locator("#mfa-secret").textContent(), "");
    await shot(page, "25-mfa-recovery-codes");
    await page.getByRole("button", { name: "I have saved them" }).click();
    await expectView(page, "account");
    assert.equal(await page.locator("#mfa-recovery-list li").count(), 0, "shown once");
    await page.waitForFunction(() => /^On/.test(document.querySelector("#mfa-status").textContent));
    assert.ok(await page.locator("#mfa-setup").isHidden());
    await shot(page, "26-mfa-on");

    // Sign in again: the challenge, answered by keyboard only (Tab to the code, type, Enter).
    await page.click("#signout");
    await signIn();
    await expectView(page, "mfa-challenge");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "mfa-challenge-title");
    assert.equal(await page.locator("#mfa-challenge-label").textContent(), "Authentication code");
    assert.equal(await page.locator("#mfa-challenge-code").getAttribute("autocomplete"), "one-time-code");
    await assertNoTokenStored(page);
    await shot(page, "27-mfa-challenge");
    const active = () => page.evaluate(() => document.activeElement?.id);
    for (let presses = 0; (await active()) !== "mfa-challenge-code"; presses++) {
      assert.ok(presses < 5, `Tab never reached the code (at ${await active()})`);
      await page.keyboard.press("Tab");
    }
    await page.keyboard.type("12ab56");
    await page.keyboard.press("Enter");
    assert.equal(await fieldError(page, "mfa-challenge-code"), "Enter the 6 digits your app shows, without letters.");
    // The enrolment used this step's code, which is spent: the next step's (±1 step is accepted).
    await page.keyboard.type(nextTotp(secret));
    await page.keyboard.press("Enter");
    await expectView(page, "account");
    const claims = JSON.parse(await page.locator("#claims").textContent());
    assert.equal(claims.mfa_enabled, true);
    assert.match(claims.mfa_challenge_completed_at, /^\d{4}-\d\d-\d\dT/);
    assert.match(await page.locator("#identity").textContent(), /mfa@example\.com/);

    // A recovery code signs in once; the second time it is refused next to the field.
    const withRecovery = async (code) => {
      await page.click("#signout");
      await signIn();
      await expectView(page, "mfa-challenge");
      await page.getByRole("button", { name: "Use a recovery code instead" }).click();
      assert.equal(await page.locator("#mfa-challenge-label").textContent(), "Recovery code");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "mfa-challenge-code");
      await page.fill("#mfa-challenge-code", code);
      await page.click("#mfa-challenge-form button[type=submit]");
    };
    await withRecovery(codes[0]);
    await expectView(page, "account");
    assert.equal(await noticeText(page), "Signed in with a recovery code: it cannot be used again.");
    await withRecovery(codes[0]);
    await page.waitForFunction(() => document.querySelector("#mfa-challenge-code-error").textContent !== "");
    assert.equal(await fieldError(page, "mfa-challenge-code"), "Invalid MFA challenge code");
    assert.equal(await page.locator("#mfa-challenge-code").getAttribute("aria-invalid"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "mfa-challenge-code");
    await shot(page, "28-mfa-recovery-code-spent");
    await page.fill("#mfa-challenge-code", codes[1].toUpperCase());
    await page.click("#mfa-challenge-form button[type=submit]");
    await expectView(page, "account");

    // Turn it off: the next sign-in needs only the password.
    await page.locator("#mfa-disable").waitFor({ state: "visible" });
    await page.click("#mfa-disable");
    await page.waitForFunction(() => /^Off/.test(document.querySelector("#mfa-status").textContent));
    assert.equal(await noticeText(page), "Two-factor authentication is off.");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "mfa-setup");
    await shot(page, "29-mfa-off");
    await page.click("#signout");
    await signIn();
    await expectView(page, "account");
    await page.close();
  });

  test("email verification: a user's sign-in owes a confirmed email; send a code, a wrong one is refused, the delivered one (by keyboard) confirms, then sign in", { timeout: 2 * TEST_TIMEOUT_MS }, async () => {
    const email = "vera@example.com";
    const registered = await fetch(`${stack.origin}/auth/user/emailpass/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(registered.status, 200, await registered.text());

    const page = await openPage();
    await page.selectOption("#actor", "user");
    await page.fill("#signin-email", email);
    await page.fill("#signin-password", PASSWORD);
    await page.click("#signin-form button[type=submit]");
    await expectView(page, "verify-email");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "verify-email-title");
    assert.match(await page.locator("#verify-email-for").textContent(), /confirm vera@example\.com: send a code/);
    assert.equal(await page.locator("#verify-email-code").getAttribute("autocomplete"), "one-time-code");
    assert.equal(await page.locator("label[for=verify-email-code]").textContent(), "Verification code");
    await assertNoTokenStored(page);
    await shot(page, "30-verify-email");

    // An empty code is refused here, next to the field.
    await page.click("#verify-email-form button[type=submit]");
    assert.equal(await fieldError(page, "verify-email-code"), "Enter the code from the message.");
    assert.equal(await page.locator("#verify-email-code").getAttribute("aria-invalid"), "true");

    // Send a code: the Worker delivers it to the dev outbox, which the DEV ONLY panel shows.
    const requested = page.waitForResponse("**/auth/verification/request");
    await page.click("#verify-send-form button[type=submit]");
    assert.equal((await requested).status(), 201);
    await page.waitForFunction(() => /A code is on its way/.test(document.querySelector("#notice").textContent));
    assert.equal(await page.evaluate(() => document.activeElement?.id), "verify-email-code");
    assert.equal(await fieldError(page, "verify-email-code"), "", "the empty-code error is gone once a code is sent");
    const code = page.locator("#dev-outbox-list .outbox-code").first();
    await code.waitFor();
    assert.match(await page.locator("#dev-outbox-list li").first().textContent(), /Email verification for vera@example\.com \(user\)/);
    const delivered = await code.textContent();
    assert.match(delivered, /^[A-Za-z0-9_-]{43}$/);
    await shot(page, "31-verify-email-code-sent");

    // A wrong code: Medusa's message next to the field, which is emptied.
    await page.fill("#verify-email-code", `${delivered.slice(0, -1)}${delivered.endsWith("A") ? "B" : "A"}`);
    await page.click("#verify-email-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#verify-email-code-error").textContent !== "");
    assert.equal(await fieldError(page, "verify-email-code"), "Verification code is invalid or already used");
    assert.equal(await page.locator("#verify-email-code").getAttribute("aria-invalid"), "true");
    assert.equal(await page.inputValue("#verify-email-code"), "");
    await shot(page, "32-verify-email-wrong-code");

    // The delivered code, typed and sent by keyboard: back to sign-in, email kept, focus on the password.
    await page.focus("#verify-email-code");
    await page.keyboard.type(delivered);
    await page.keyboard.press("Enter");
    await expectView(page, "signin");
    assert.match(await noticeText(page), /vera@example\.com is confirmed/);
    assert.equal(await page.inputValue("#signin-email"), email);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "signin-password");
    await shot(page, "33-verify-email-confirmed");

    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await expectView(page, "account");
    const claims = JSON.parse(await page.locator("#claims").textContent());
    assert.equal(claims.actor_type, "user");
    assert.match(claims.auth_identity_id, /^authid_/);
    await assertNoTokenStored(page);

    // The same code again (through the API, as the page no longer offers it): spent.
    const again = await fetch(`${stack.origin}/auth/verification/confirm`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: delivered }),
    });
    assert.equal(again.status, 400);
    assert.equal((await again.json()).message, "Verification code is invalid or already used");
  });

  test("no page broke its CSP or threw", { timeout: TEST_TIMEOUT_MS }, () => {
    const ours = chromium.problems.filter((p) => p.startsWith(stack.origin));
    assert.deepEqual(ours, []);
  });
});
