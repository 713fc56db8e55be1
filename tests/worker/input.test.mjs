// Bad input and routing: every mistake a client can make gets a clear 4xx JSON answer, never a 5xx.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_TIMEOUT_MS, assertError, jsonBody, startWorker, tokenFrom, withWorker } from "./harness.mjs";

const REGISTER = "/auth/customer/emailpass/register";
const CREDENTIALS = { email: "a@b.co", password: "correct horse" };
const BODY_LIMIT = 16 * 1024;

const postRaw = (worker, path, body, contentType = "application/json") =>
  worker.fetch(path, { method: "POST", headers: { "content-type": contentType }, body });

/** A JSON object with the test credentials, padded with spaces to exactly `bytes` bytes. */
function paddedCredentials(bytes) {
  const json = JSON.stringify(CREDENTIALS);
  return `${json.slice(0, -1)}${" ".repeat(bytes - json.length)}}`;
}

describe("request bodies", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker();
  });
  after(() => worker?.dispose());

  test("malformed JSON is 400 invalid_data 'Malformed JSON body…'", async () => {
    const body = await jsonBody(await postRaw(worker, REGISTER, '{"email": "a@b.co", '), 400);
    assert.deepEqual(Object.keys(body).sort(), ["message", "type"]);
    assert.equal(body.type, "invalid_data");
    assert.ok(body.message.startsWith("Malformed JSON body"), `message: ${body.message}`);
  });

  for (const [what, json] of [
    ["an array", "[]"],
    ["an array of an object", JSON.stringify([CREDENTIALS])],
    ["a string", '"a@b.co"'],
    ["a number", "42"],
    ["null", "null"],
  ]) {
    test(`a JSON body that is ${what} is 400 'Request body must be a JSON object'`, async () => {
      const response = await postRaw(worker, REGISTER, json);
      await assertError(response, 400, "invalid_data", "Request body must be a JSON object");
    });
  }

  test("Content-Type text/plain is 415", async () => {
    const response = await postRaw(worker, REGISTER, JSON.stringify(CREDENTIALS), "text/plain");
    await assertError(response, 415, "invalid_data", "Content-Type must be application/json");
  });

  test("Content-Type application/json with a charset parameter is accepted", async () => {
    await tokenFrom(await postRaw(worker, REGISTER, JSON.stringify(CREDENTIALS), "application/json; charset=utf-8"));
  });

  test("a body of 16385 bytes is 413", async () => {
    const response = await postRaw(worker, "/auth/customer/emailpass", paddedCredentials(BODY_LIMIT + 1));
    await assertError(response, 413, "invalid_data", `Request body exceeds ${BODY_LIMIT} bytes`);
  });

  test("a streamed body (no Content-Length) over 16 KiB is 413 too", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(4096));
    let sent = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (sent >= 64 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await worker.fetch("/auth/customer/emailpass", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    });
    await assertError(response, 413, "invalid_data", `Request body exceeds ${BODY_LIMIT} bytes`);
  });

  test("a body of exactly 16384 bytes is read", async () => {
    await tokenFrom(await postRaw(worker, "/auth/customer/emailpass", paddedCredentials(BODY_LIMIT)));
  });
});

// A Worker in front of ours streams a body of `bytes` bytes (no Content-Length) to it through a service
// binding, and reports how much of the body had been pulled from its stream when the answer came. No socket
// lies between the two Workers: workerd resets an HTTP connection whose upload is answered early, which
// would hide the answer from a client outside; this way the count is exact.
const STREAMING_CALLER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/__stream") return env.AUTH.fetch(request);
    const total = Number(url.searchParams.get("bytes"));
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let pulled = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += chunk.length;
        controller.enqueue(chunk.slice());
      },
    });
    const response = await env.AUTH.fetch("https://edge-auth.test/auth/customer/emailpass", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const pulledWhenAnswered = pulled;
    return Response.json({ status: response.status, body: await response.json(), pulledWhenAnswered });
  },
};`;

test("a chunked 20 MB body is 413 after reading about 16 KiB of it, and the Worker serves the next request", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withWorker({ caller: STREAMING_CALLER }, async (worker) => {
    const total = 20 * 1024 * 1024;
    const answer = await jsonBody(await worker.fetch(`/__stream?bytes=${total}`), 200);
    assert.deepEqual(answer.body, { type: "invalid_data", message: `Request body exceeds ${BODY_LIMIT} bytes` });
    assert.equal(answer.status, 413);
    // Reading stops with the chunk that passes the limit; the pipe between the Workers may have pulled a
    // few chunks ahead. A Worker that buffers the whole body answers only after all 20 MB.
    assert.ok(answer.pulledWhenAnswered <= 1024 * 1024, `answered after ${answer.pulledWhenAnswered} of ${total} bytes were pulled`);
    await tokenFrom(await worker.post(REGISTER, CREDENTIALS));
  });
});

describe("routes", { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  let worker;
  before(async () => {
    worker = await startWorker();
  });
  after(() => worker?.dispose());

  test("an unknown actor type is 400 'Unknown actor type: admin'", async () => {
    const response = await worker.post("/auth/admin/emailpass/register", CREDENTIALS);
    await assertError(response, 400, "invalid_data", "Unknown actor type: admin");
    await assertError(await worker.post("/auth/admin/emailpass", CREDENTIALS), 400, "invalid_data", "Unknown actor type: admin");
  });

  test("an actor segment that cannot be an actor type is 400 invalid_data", async () => {
    for (const path of ["/auth/Bad%20Actor/emailpass", "/auth/Bad%20Actor/emailpass/register"]) {
      const body = await jsonBody(await worker.post(path, CREDENTIALS), 400);
      assert.equal(body.type, "invalid_data", `${path}: ${JSON.stringify(body)}`);
      assert.equal(typeof body.message, "string");
    }
  });

  for (const [method, path] of [
    ["GET", "/nope"],
    ["POST", "/nope"],
    ["POST", "/auth/customer/emailpass/bogus"],
    ["POST", "/auth/customer/emailpass/register/extra"],
  ]) {
    test(`${method} ${path} is 404 not_found`, async () => {
      const init = method === "GET" ? {} : { method, headers: { "content-type": "application/json" }, body: "{}" };
      const body = await jsonBody(await worker.fetch(path, init), 404);
      assert.equal(body.type, "not_found", JSON.stringify(body));
    });
  }

  test("GET on the register route is 405 with an Allow header naming POST", async () => {
    const response = await worker.fetch(REGISTER);
    assert.match(response.headers.get("allow") ?? "", /\bPOST\b/, "Allow header");
    await jsonBody(response, 405);
  });
});

test("a provider not allowed for the actor type is 400 not_allowed", { timeout: TEST_TIMEOUT_MS }, async () => {
  const vars = { AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["emailpass"], user: ["google"] }) };
  await withWorker({ vars }, async (worker) => {
    for (const path of ["/auth/user/emailpass", "/auth/user/emailpass/register"]) {
      await assertError(
        await worker.post(path, CREDENTIALS),
        400,
        "not_allowed",
        "The actor type user is not allowed to use the auth provider emailpass",
      );
    }
    // the customer side of the same configuration still works
    await tokenFrom(await worker.post(REGISTER, CREDENTIALS));
  });
});

test("a provider allowed but not configured is 401 with Medusa 2.21's 'Unable to retrieve the auth provider…'", { timeout: TEST_TIMEOUT_MS }, async () => {
  const vars = { AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["emailpass", "google"] }) };
  await withWorker({ vars }, async (worker) => {
    await assertError(
      await worker.post("/auth/customer/google", {}),
      401,
      "unauthorized",
      "\nUnable to retrieve the auth provider with id: google\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file.",
    );
    // AUTH_METHODS_PER_ACTOR defines the actor types: "user" is not one here
    await assertError(await worker.post("/auth/user/emailpass", CREDENTIALS), 400, "invalid_data", "Unknown actor type: user");
  });
});
