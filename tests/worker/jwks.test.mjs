// Asymmetric tokens end to end in workerd: with JWT_ALGORITHM=ES256 (a PKCS #8 PEM) and EdDSA (a private
// JWK), a token from sign-in verifies with `jose` against the Worker's own JWKS URL
// (`createRemoteJWKSet`, algorithms pinned), as a backend would check it; a retired key listed in
// JWT_PREVIOUS_PUBLIC_KEYS keeps verifying; HS256 tokens are refused; in HS256 mode the JWKS route is 404.
// The keys are made here by node:crypto (plus the fixed previous keys of tests/fixtures/jwt/).

import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import {
  TEST_JWT_SECRET,
  TEST_TIMEOUT_MS,
  assertError,
  decodeJwt,
  jsonBody,
  signHs256,
  startWorker,
} from "./harness.mjs";

const FIXTURES = JSON.parse(readFileSync(new URL("../fixtures/jwt/test-keys.json", import.meta.url), "utf8"));
const PASSWORD = "correct horse battery";

const MODES = [
  {
    alg: "ES256",
    fixture: "es256_previous",
    key: () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }),
  },
  {
    alg: "EdDSA",
    fixture: "eddsa_previous",
    key: () => JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })),
  },
];

for (const { alg, fixture, key } of MODES) {
  describe(`JWT_ALGORITHM=${alg}`, { timeout: TEST_TIMEOUT_MS }, () => {
    let worker;
    const previous = { ...FIXTURES[fixture].public_jwk, kid: `retired-${alg}`, alg };
    before(async () => {
      worker = await startWorker({
        vars: {
          JWT_ALGORITHM: alg,
          JWT_PRIVATE_KEY: key(),
          JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify({ keys: [previous] }),
        },
      });
    });
    after(async () => worker?.dispose());

    const jwksUrl = () => new URL("/.well-known/jwks.json", worker.url);

    test("a sign-in token verifies with jose against the Worker's JWKS URL", async () => {
      const { token } = await jsonBody(
        await worker.post("/auth/customer/emailpass/register", { email: `a-${alg}@example.com`, password: PASSWORD }),
        200,
      );
      const header = decodeProtectedHeader(token);
      assert.deepEqual(Object.keys(header), ["alg", "typ", "kid"]);
      assert.equal(header.alg, alg);
      const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(jwksUrl()), {
        algorithms: [alg],
      });
      assert.equal(protectedHeader.kid, header.kid);
      assert.match(payload.auth_identity_id, /^authid_/);
      assert.equal(payload.actor_type, "customer");
      // Pinned to the other algorithm, jose refuses it: the pin is what a backend relies on.
      const other = alg === "ES256" ? "EdDSA" : "ES256";
      await assert.rejects(jwtVerify(token, createRemoteJWKSet(jwksUrl()), { algorithms: [other] }));
      // The Worker itself takes it (refresh), and a login's token too.
      const refreshed = await jsonBody(
        await worker.post("/auth/token/refresh", {}, { authorization: `Bearer ${token}` }),
        200,
      );
      await jwtVerify(refreshed.token, createRemoteJWKSet(jwksUrl()), { algorithms: [alg] });
    });

    test("the JWKS lists the current key, then the previous one, cacheable for 300 s", async () => {
      const response = await worker.fetch("/.well-known/jwks.json");
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("cache-control"), "public, max-age=300");
      const { keys } = await response.json();
      assert.equal(keys.length, 2);
      assert.equal(keys[0].alg, alg);
      assert.equal(keys[0].use, "sig");
      assert.equal("d" in keys[0], false, "no private part");
      assert.deepEqual(keys[1], { ...previous, use: "sig" });
      assert.equal((await worker.fetch("/.well-known/jwks.json", { method: "POST" })).status, 405);
    });

    test("a token of the previous key verifies while it is listed; HS256 and unknown keys do not", async () => {
      const { token } = await jsonBody(
        await worker.post("/auth/customer/emailpass/register", { email: `b-${alg}@example.com`, password: PASSWORD }),
        200,
      );
      const claims = decodeJwt(token).payload;
      const retired = await importJWK(FIXTURES[fixture].jwk, alg);
      const old = await new SignJWT(claims)
        .setProtectedHeader({ alg, typ: "JWT", kid: previous.kid })
        .sign(retired);
      const refresh = (t) => worker.post("/auth/token/refresh", {}, { authorization: `Bearer ${t}` });
      assert.equal((await refresh(old)).status, 200, "the previous key still verifies");
      const wrongKid = await new SignJWT(claims)
        .setProtectedHeader({ alg, typ: "JWT", kid: decodeProtectedHeader(token).kid })
        .sign(retired);
      assert.equal((await refresh(wrongKid)).status, 401, "another key under the current kid");
      const hs = signHs256(claims, TEST_JWT_SECRET);
      assert.equal((await refresh(hs)).status, 401, "HS256 under JWT_SECRET");
      const confused = signHs256(claims, JSON.stringify(FIXTURES[fixture].public_jwk), {
        alg: "HS256",
        typ: "JWT",
        kid: previous.kid,
      });
      assert.equal((await refresh(confused)).status, 401, "HS256 keyed with a public key");
    });
  });
}

describe("JWT_ALGORITHM=HS256 (default)", { timeout: TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker();
  });
  after(async () => worker?.dispose());

  test("the JWKS route is 404, saying why", async () => {
    await assertError(
      await worker.fetch("/.well-known/jwks.json"),
      404,
      "not_found",
      "No JSON Web Key Set: tokens are signed with HS256 (JWT_ALGORITHM), whose key is a shared secret; set JWT_ALGORITHM to ES256 or EdDSA to publish public keys",
    );
  });
});

describe("a bad key", { timeout: TEST_TIMEOUT_MS }, () => {
  test("is a configuration error naming the variable, never the key", async () => {
    const p384 = FIXTURES.p384.pkcs8;
    const worker = await startWorker({ vars: { JWT_ALGORITHM: "ES256", JWT_PRIVATE_KEY: p384 } });
    try {
      const response = await worker.fetch("/.well-known/jwks.json");
      assert.equal(response.status, 500);
      const body = await response.text();
      assert.match(body, /JWT_PRIVATE_KEY/);
      assert.doesNotMatch(body, /PRIVATE KEY-----|MIG/);
    } finally {
      await worker.dispose();
    }
  });
});
