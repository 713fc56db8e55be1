// GitHub sign-in end to end: the built Worker in workerd against a local fake of GitHub's three OAuth
// surfaces (tests/fixtures/oauth/github-fake.mjs: authorize, access_token, user + user/emails) on
// 127.0.0.1, through the GITHUB_* endpoint overrides.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GITHUB_USER, startGithubFake } from "../fixtures/oauth/github-fake.mjs";
import {
  TEST_JWT_SECRET,
  TEST_TIMEOUT_MS,
  assertError,
  jsonBody,
  startWorker,
  tokenFrom,
  verifyHs256,
  withWorker,
} from "./harness.mjs";
import { Browser, WORKER_ORIGIN } from "./oauth-browser.mjs";

const FRONTEND_CALLBACK = "https://shop.example/auth/github/callback";
const OWN_CALLBACK = `${WORKER_ORIGIN}/auth/customer/github/callback`;
const RETURN_TO = "https://shop.example/signed-in";

describe("sign-in with GitHub (local fake)", { timeout: 10 * TEST_TIMEOUT_MS }, () => {
  let github;
  let worker;
  before(async () => {
    github = await startGithubFake({
      clientId: "gh-client",
      clientSecret: "gh-secret",
      redirectUris: [FRONTEND_CALLBACK, OWN_CALLBACK],
    });
    worker = await startWorker({
      vars: {
        AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["emailpass", "github"] }),
        GITHUB_CLIENT_ID: "gh-client",
        GITHUB_CLIENT_SECRET: "gh-secret",
        GITHUB_CALLBACK_URL: FRONTEND_CALLBACK,
        GITHUB_AUTHORIZATION_URL: github.authorizeUrl,
        GITHUB_TOKEN_URL: github.tokenUrl,
        GITHUB_API_URL: github.apiUrl,
        ALLOWED_REDIRECT_URLS: RETURN_TO,
      },
    });
  });
  after(async () => {
    await worker?.dispose();
    await github?.close();
  });

  async function toFrontend() {
    const { location } = await jsonBody(await worker.fetch("/auth/customer/github"), 200);
    const { url } = await new Browser(worker).navigate(location);
    assert.ok(url.startsWith(`${FRONTEND_CALLBACK}?code=`), url);
    return { location: new URL(location), search: new URL(url).search };
  }

  test("JSON mode: 200 {location} with state and PKCE, then 200 {token} and Medusa's GitHub mapping", async () => {
    const { location, search } = await toFrontend();
    assert.equal(location.searchParams.get("client_id"), "gh-client");
    assert.equal(location.searchParams.get("scope"), "user:email");
    assert.equal(location.searchParams.get("code_challenge_method"), "S256");
    assert.equal(location.searchParams.get("nonce"), null);

    const token = await tokenFrom(await worker.fetch(`/auth/customer/github/callback${search}`));
    assert.ok(verifyHs256(token.raw, TEST_JWT_SECRET));
    const identity = JSON.parse(await worker.kvGet(`ai:${token.payload.auth_identity_id}`));
    const pi = identity.provider_identities[0];
    assert.equal(pi.entity_id, String(GITHUB_USER.id));
    assert.deepEqual(pi.user_metadata, {
      profile_url: GITHUB_USER.url,
      avatar: GITHUB_USER.avatar_url,
      email: "octocat@github.example",
      name: GITHUB_USER.name,
      company: GITHUB_USER.company,
      two_factor_authentication: true,
    });
    assert.deepEqual(Object.keys(pi.provider_metadata), ["access_token"]);

    const exchange = github.seen.find((s) => s.path === "/login/oauth/access_token");
    assert.equal(exchange.form.redirect_uri, FRONTEND_CALLBACK);
    assert.equal(exchange.form.code_verifier.length, 43);
    const userCall = github.seen.find((s) => s.path === "/api/user");
    assert.equal(userCall.headers["user-agent"], "edge-auth");
  });

  test("every login updates the identity (a fresh access token each time)", async () => {
    const first = await tokenFrom(await worker.fetch(`/auth/customer/github/callback${(await toFrontend()).search}`));
    const before = JSON.parse(await worker.kvGet(`ai:${first.payload.auth_identity_id}`));
    const again = await tokenFrom(await worker.fetch(`/auth/customer/github/callback${(await toFrontend()).search}`));
    assert.equal(again.payload.auth_identity_id, first.payload.auth_identity_id);
    const after = JSON.parse(await worker.kvGet(`ai:${again.payload.auth_identity_id}`));
    assert.notEqual(
      after.provider_identities[0].provider_metadata.access_token,
      before.provider_identities[0].provider_metadata.access_token,
    );
  });

  test("redirect mode: 302s through the Worker's own callback to return_to#token=…", async () => {
    const browser = new Browser(worker);
    const { url } = await browser.navigate(
      `${WORKER_ORIGIN}/auth/customer/github?return_to=${encodeURIComponent(RETURN_TO)}`,
    );
    assert.match(url, /^https:\/\/shop\.example\/signed-in#token=/);
    assert.ok(verifyHs256(url.split("#token=")[1], TEST_JWT_SECRET));
    const exchange = github.seen.findLast((s) => s.path === "/login/oauth/access_token");
    assert.equal(exchange.form.redirect_uri, OWN_CALLBACK);
  });

  test("attack: a replayed callback is refused", async () => {
    const { search } = await toFrontend();
    await tokenFrom(await worker.fetch(`/auth/customer/github/callback${search}`));
    await assertError(
      await worker.fetch(`/auth/customer/github/callback${search}`),
      401,
      "unauthorized",
      "No state provided, or session expired",
    );
  });

  test("attack: a tampered code gets GitHub's own error in Medusa's words", async () => {
    const { search } = await toFrontend();
    const tampered = new URLSearchParams(search);
    tampered.set("code", "0000");
    await assertError(
      await worker.fetch(`/auth/customer/github/callback?${tampered}`),
      401,
      "unauthorized",
      "The code passed is incorrect or expired., read more at: https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
    );
  });

  test("attack: a state from another browser is refused in redirect mode", async () => {
    const attacker = new Browser(worker, { isFrontend: (u) => u.startsWith(OWN_CALLBACK) });
    const { url: lure } = await attacker.navigate(
      `${WORKER_ORIGIN}/auth/customer/github?return_to=${encodeURIComponent(RETURN_TO)}`,
    );
    const r = await new Browser(worker).request(lure);
    assert.equal(r.status, 401);
    assert.match((await r.json()).message, /started in another browser/);
  });

  test("GitHub's own refusal (access_denied) goes back to return_to in redirect mode", async () => {
    const browser = new Browser(worker, { isFrontend: () => true });
    const start = await browser.request(`${WORKER_ORIGIN}/auth/customer/github?return_to=${encodeURIComponent(RETURN_TO)}`);
    const state = new URL(start.headers.get("location")).searchParams.get("state");
    const r = await browser.request(
      `${OWN_CALLBACK}?error=access_denied&error_description=The+user+has+denied+your+application+access.&error_uri=https%3A%2F%2Fdocs.github.com&state=${state}`,
    );
    assert.equal(r.status, 302);
    assert.equal(
      r.headers.get("location"),
      `${RETURN_TO}?error=The+user+has+denied+your+application+access.%2C+read+more+at%3A+https%3A%2F%2Fdocs.github.com`,
    );
  });
});

// The answer names the variable only; Medusa's words ("Github clientSecret is required") go to the Worker's
// log (checked natively: tests/account/security.rs, medusas_words_for_a_half_configured_provider_reach_the_log_only).
test("a half-configured provider answers 500 naming the variable", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker(
    { vars: { GITHUB_CLIENT_ID: "gh-client", GITHUB_CALLBACK_URL: FRONTEND_CALLBACK } },
    async (worker) => {
      assert.deepEqual(await jsonBody(await worker.fetch("/auth/customer/emailpass"), 500), {
        type: "unexpected_state",
        message: "Invalid configuration: GITHUB_CLIENT_SECRET; see the Worker's logs",
      });
    },
  );
});
