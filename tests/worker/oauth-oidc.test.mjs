// Third-party sign-in end to end: the built Worker in workerd against a REAL OpenID Provider (npm
// `oidc-provider`, tests/fixtures/oauth/op.mjs) on 127.0.0.1, configured twice — as the generic OIDC
// providers "corp" (RS256) and "corp-ec" (ES256), and as "google" through the GOOGLE_* endpoint overrides —
// driven by a scripted browser (authenticate → the OP's login and consent pages → callback → token) in
// Medusa's JSON mode and in the Worker's redirect mode, then attacked.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createHmac, createPublicKey } from "node:crypto";
import { KEYS, decodePayload, signJwt, startOp } from "../fixtures/oauth/op.mjs";
import { TEST_JWT_SECRET, TEST_TIMEOUT_MS, assertError, jsonBody, startWorker, tokenFrom, verifyHs256 } from "./harness.mjs";
import { Browser, WORKER_ORIGIN } from "./oauth-browser.mjs";

const RETURN_TO = "https://shop.example/signed-in";
const COOKIE = "__Host-edge-auth-oauth";
const NO_STATE = "No state provided, or session expired";
const OTHER_BROWSER = "This sign-in was started in another browser, or its cookie is gone: start again";
const PROVIDERS = ["google", "corp", "corp-ec"];

const frontendCallback = (id) => `https://shop.example/auth/${id}/callback`;
const ownCallback = (id) => `${WORKER_ORIGIN}/auth/customer/${id}/callback`;
const redirectStart = (id, returnTo = RETURN_TO) =>
  `${WORKER_ORIGIN}/auth/customer/${id}?return_to=${encodeURIComponent(returnTo)}`;

function varsFor(op) {
  const oidc = (id, clientId) => ({
    id,
    issuer: op.issuer,
    clientId,
    clientSecret: `${clientId}-secret`,
    callbackUrl: frontendCallback(id),
  });
  return {
    AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["emailpass", ...PROVIDERS], user: ["emailpass"] }),
    GOOGLE_CLIENT_ID: "edge-google",
    GOOGLE_CLIENT_SECRET: "edge-google-secret",
    GOOGLE_CALLBACK_URL: frontendCallback("google"),
    GOOGLE_AUTHORIZATION_URL: `${op.issuer}/auth`,
    // Through the tampering proxy, which is transparent until a test sets a tamper function.
    GOOGLE_TOKEN_URL: op.tokenProxy,
    GOOGLE_JWKS_URL: `${op.issuer}/jwks`,
    GOOGLE_ISSUER: op.issuer,
    OIDC_PROVIDERS: JSON.stringify([oidc("corp", "edge-oidc"), oidc("corp-ec", "edge-es256")]),
    ALLOWED_REDIRECT_URLS: `${RETURN_TO},https://shop.example/other`,
  };
}

describe("sign-in with a real OpenID Provider", { timeout: 20 * TEST_TIMEOUT_MS }, () => {
  let op;
  let worker;
  before(async () => {
    op = await startOp({ redirectUris: PROVIDERS.flatMap((id) => [frontendCallback(id), ownCallback(id)]) });
    worker = await startWorker({ vars: varsFor(op) });
  });
  after(async () => {
    await worker?.dispose();
    await op?.close();
  });

  /** JSON mode up to the frontend page the provider returns to: { location, frontendUrl, browser }. */
  async function toFrontend(id) {
    const { location } = await jsonBody(await worker.fetch(`/auth/customer/${id}`), 200);
    const browser = new Browser(worker);
    const { url } = await browser.navigate(location);
    assert.ok(url.startsWith(`${frontendCallback(id)}?`), url);
    return { location, frontendUrl: new URL(url), browser };
  }

  /** The frontend's half of JSON mode: pass the provider's query to the Worker's callback. */
  const callback = (id, search) => worker.fetch(`/auth/customer/${id}/callback${search}`);

  for (const id of PROVIDERS) {
    test(`${id}: JSON mode, Medusa's contract: 200 {location}, the OP's pages, then 200 {token}`, async () => {
      const { location, frontendUrl } = await toFrontend(id);
      const start = new URL(location);
      assert.equal(start.searchParams.get("code_challenge_method"), "S256");
      assert.equal(start.searchParams.get("state").length, 64);
      assert.ok(start.searchParams.get("nonce"));

      const token = await tokenFrom(await callback(id, frontendUrl.search));
      assert.ok(verifyHs256(token.raw, TEST_JWT_SECRET));
      assert.equal(token.payload.actor_type, "customer");
      assert.equal(token.payload.actor_id, "");

      const entries = await worker.kvEntries();
      assert.ok(!entries.some(([k]) => k.startsWith("state:")), "the state record is gone");
      const identity = JSON.parse(entries.find(([k]) => k === `ai:${token.payload.auth_identity_id}`)[1]);
      const pi = identity.provider_identities[0];
      assert.equal(pi.provider, id);
      assert.equal(pi.entity_id, "jane");
      assert.deepEqual(pi.user_metadata, {
        email: "jane@corp.example",
        name: "Jane Doe",
        picture: "https://corp.example/jane.png",
        given_name: "Jane",
        family_name: "Doe",
      });
    });
  }

  test("a second sign-in finds the same identity", async () => {
    const first = await tokenFrom(await callback("corp", (await toFrontend("corp")).frontendUrl.search));
    const again = await tokenFrom(await callback("corp", (await toFrontend("corp")).frontendUrl.search));
    assert.equal(again.payload.auth_identity_id, first.payload.auth_identity_id);
  });

  for (const id of ["corp", "google"]) {
    test(`${id}: redirect mode, the Worker's own 302s end at return_to#token=…`, async () => {
      const browser = new Browser(worker);
      const { url } = await browser.navigate(redirectStart(id));
      const back = new URL(url);
      assert.equal(`${back.origin}${back.pathname}${back.search}`, RETURN_TO);
      const jwt = new URLSearchParams(back.hash.slice(1)).get("token");
      assert.ok(verifyHs256(jwt, TEST_JWT_SECRET), url);
      // The hops: Worker 302 (cookie set) → OP … → the Worker's callback (cookie sent) → 302 back.
      assert.equal(browser.hops[0].status, 302);
      assert.ok(browser.hops.some((h) => h.url.startsWith(`${ownCallback(id)}?code=`) && h.status === 302));
      assert.equal(browser.cookie("edge-auth.test", COOKIE), undefined, "the binding cookie was cleared");
    });
  }

  test("attack: a replayed callback (JSON mode) is refused", async () => {
    const { frontendUrl } = await toFrontend("corp");
    await tokenFrom(await callback("corp", frontendUrl.search));
    await assertError(await callback("corp", frontendUrl.search), 401, "unauthorized", NO_STATE);
  });

  test("attack: a replayed callback (redirect mode) is refused", async () => {
    const browser = new Browser(worker, { isFrontend: (u) => u.startsWith(ownCallback("corp")) });
    const { url: callbackUrl } = await browser.navigate(redirectStart("corp"));
    const first = await browser.request(callbackUrl);
    assert.equal(first.status, 302);
    assert.match(first.headers.get("location"), /^https:\/\/shop\.example\/signed-in#token=/);
    // Replayed with the same cookie (the attacker kept it): the state is gone.
    const cookie = `${COOKIE}=${"x".repeat(43)}`;
    const replay = await worker.fetch(callbackUrl, { headers: { cookie }, redirect: "manual" });
    assert.equal(replay.status, 401);
    assert.match(await replay.text(), new RegExp(NO_STATE));
  });

  test("attack: a state from another browser (login CSRF) is refused, with no cookie or another flow's", async () => {
    // The attacker starts a flow, signs in at the OP, and stops before the Worker's callback.
    const attacker = new Browser(worker, { isFrontend: (u) => u.startsWith(ownCallback("corp")) });
    const { url: lure } = await attacker.navigate(redirectStart("corp"));
    // The victim's browser has no binding cookie: JSON 401 (Medusa's error body), nothing exchanged.
    const victim = new Browser(worker);
    const r = await victim.request(lure);
    await assertError(r, 401, "unauthorized", OTHER_BROWSER);
    // The lure burned the state: even the attacker cannot use it any more.
    const again = await attacker.request(lure);
    assert.equal(again.status, 401);

    // A victim in the middle of its own redirect-mode flow has a cookie — for another state.
    const attacker2 = new Browser(worker, { isFrontend: (u) => u.startsWith(ownCallback("corp")) });
    const { url: lure2 } = await attacker2.navigate(redirectStart("corp"));
    const victim2 = new Browser(worker, { isFrontend: () => true });
    await victim2.request(redirectStart("corp"));
    assert.ok(victim2.cookie("edge-auth.test", COOKIE));
    const r2 = await victim2.request(lure2);
    assert.equal(r2.status, 401);
    assert.match(r2.headers.get("content-type"), /^text\/html/);
    assert.match(await r2.text(), /started in another browser/);
    assert.equal(victim2.cookie("edge-auth.test", COOKIE), undefined, "cleared");
  });

  test("attack: a tampered code is refused by the OP and reported", async () => {
    const { frontendUrl } = await toFrontend("corp");
    frontendUrl.searchParams.set("code", `${frontendUrl.searchParams.get("code")}x`);
    await assertError(
      await callback("corp", frontendUrl.search),
      401,
      "unauthorized",
      "Could not exchange token, 400, Bad Request",
    );
    // In redirect mode the browser goes back to return_to with the error.
    const browser = new Browser(worker, { isFrontend: (u) => u.startsWith(ownCallback("corp")) });
    const { url } = await browser.navigate(redirectStart("corp"));
    const tampered = new URL(url);
    tampered.searchParams.set("code", "forged-code");
    const r = await browser.request(tampered.href);
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), `${RETURN_TO}?error=Could+not+exchange+token%2C+400%2C+Bad+Request`);
  });

  /** Runs a google sign-in with `tamper` applied to the id_token; answers the callback's response. */
  async function googleWithTamper(tamper) {
    op.setTamper(tamper);
    try {
      const { frontendUrl } = await toFrontend("google");
      return await callback("google", frontendUrl.search);
    } finally {
      op.setTamper(null);
    }
  }

  const resign = (change, key = KEYS.rsa, kid) => (jwt) => signJwt({ ...decodePayload(jwt), ...change(decodePayload(jwt)) }, key, kid);
  const nowS = () => Math.floor(Date.now() / 1000);

  test("control: an id_token re-signed unchanged with the OP's own key is accepted", async () => {
    await tokenFrom(await googleWithTamper(resign(() => ({}))));
  });

  const verifyFailed = (reason) => `Could not verify Google id_token: ${reason}`;
  const attacks = [
    ["a wrong nonce", resign(() => ({ nonce: "nonce-of-another-sign-in" })), verifyFailed("nonce mismatch")],
    ["an expired id_token", resign(() => ({ iat: nowS() - 7200, exp: nowS() - 3600 })), verifyFailed("jwt expired")],
    ["another audience", resign(() => ({ aud: "someone-else" })), verifyFailed("the token is not meant for this client (aud)")],
    ["another issuer", resign(() => ({ iss: "https://accounts.google.com" })), verifyFailed("unexpected issuer (iss)")],
    [
      "a token signed by another key (unknown kid, after one JWKS refetch)",
      resign(() => ({}), KEYS.rogue_rsa),
      verifyFailed("no key in the provider's JWKS matches the token's kid"),
    ],
    ["a token signed by another key under the OP's kid", resign(() => ({}), KEYS.rogue_rsa, "test-rsa"), verifyFailed("invalid signature")],
    [
      "alg none",
      (jwt) => `${Buffer.from('{"alg":"none"}').toString("base64url")}.${jwt.split(".")[1]}.`,
      verifyFailed('algorithm "none" is not accepted (RS256 or ES256 only)'),
    ],
    [
      "HS256 keyed with the OP's public key (algorithm confusion)",
      (jwt) => {
        const input = `${Buffer.from('{"alg":"HS256","kid":"test-rsa"}').toString("base64url")}.${jwt.split(".")[1]}`;
        const publicPem = createPublicKey({ key: KEYS.rsa, format: "jwk" }).export({ type: "spki", format: "pem" });
        return `${input}.${createHmac("sha256", publicPem).update(input).digest("base64url")}`;
      },
      verifyFailed('algorithm "HS256" is not accepted (RS256 or ES256 only)'),
    ],
    [
      "a swapped-in id_token of another user",
      resign(() => ({ sub: "admin", email: "admin@corp.example" }), KEYS.rogue_rsa, "test-rsa"),
      verifyFailed("invalid signature"),
    ],
  ];
  for (const [name, tamper, message] of attacks) {
    test(`attack: ${name} is refused`, async () => {
      await assertError(await googleWithTamper(tamper), 401, "unauthorized", message);
    });
  }

  test("an unknown kid costs exactly one JWKS refetch, then is refused", async () => {
    await tokenFrom(await googleWithTamper(null)); // warms the isolate's JWKS cache
    const before = op.requestsTo("/jwks");
    await assertError(
      await googleWithTamper(resign(() => ({}), KEYS.rogue_rsa)),
      401,
      "unauthorized",
      verifyFailed("no key in the provider's JWKS matches the token's kid"),
    );
    assert.equal(op.requestsTo("/jwks") - before, 1);
  });

  test("attack: open redirects are refused with 400 before anything is stored", async () => {
    const before = (await worker.kvEntries()).length;
    for (const target of [
      "https://evil.example/",
      "https://shop.example/signed-in.evil.com",
      "https://shop.example.evil.com/signed-in",
      "https://shop.example/signed-in@evil.com",
      "https://shop.example/signed-in/",
      "https://shop.example/signed-in?next=https://evil.example",
      "//evil.example",
      "javascript:alert(document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      " https://shop.example/signed-in",
    ]) {
      const r = await worker.fetch(redirectStart("corp", target), { redirect: "manual" });
      assert.equal(r.status, 400, target);
      assert.equal((await r.json()).type, "invalid_data");
      assert.equal(r.headers.get("set-cookie"), null);
      const viaCallbackUrl = await worker.fetch(`/auth/customer/corp?callback_url=${encodeURIComponent(target)}`);
      assert.equal(viaCallbackUrl.status, 400, `callback_url ${target}`);
    }
    assert.equal((await worker.kvEntries()).length, before);
  });

  test("a provider's error comes back in Medusa's words, HTML-escaped where it is shown", async () => {
    await assertError(
      await callback("corp", "?error=access_denied&error_description=End-User+aborted+interaction"),
      401,
      "unauthorized",
      "End-User aborted interaction",
    );
    const evil = "<script>alert(1)</script>";
    const r = await worker.fetch(
      `/auth/customer/corp/callback?error=x&error_description=${encodeURIComponent(evil)}`,
      { headers: { cookie: `${COOKIE}=whatever` } },
    );
    assert.equal(r.status, 401);
    const page = await r.text();
    assert.ok(page.includes("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.includes(evil), page);
  });

  test("Medusa's other answers: no code, no state, registration", async () => {
    await assertError(await callback("corp", "?state=abc"), 401, "unauthorized", "No code provided");
    await assertError(await callback("corp", "?code=abc"), 401, "unauthorized", NO_STATE);
    await assertError(
      await worker.post("/auth/customer/google/register", {}),
      401,
      "unauthorized",
      "Google does not support registration. Use method `authenticate` instead.",
    );
  });
});
