// A webhook receiver on 127.0.0.1 for the password-reset tests: records every delivery (headers and raw
// body), answers with a status the test chooses, and verifies signatures the way a real receiver would —
// with node:crypto, independently of the Rust code that made them.

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

export const WEBHOOK_SECRET = "whsec-end-to-end-suite-0123456789abcdef";

/**
 * Checks `x-edge-auth-signature: t=<unix>,v1=<hex>` over the raw body: v1 must equal
 * HMAC-SHA256(secret, "<t>.<body>") and t must be within `toleranceSecs` of now.
 */
export function verifySignature(header, rawBody, secret = WEBHOOK_SECRET, toleranceSecs = 300) {
  const parts = Object.fromEntries(
    String(header ?? "")
      .split(",")
      .map((kv) => kv.split("=", 2)),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSecs || !parts.v1) return false;
  const expected = createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest();
  const actual = Buffer.from(parts.v1, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Starts the receiver. `status` may be changed at any time; `deliveries` fills as requests arrive. */
export async function startReceiver() {
  const receiver = {
    status: 204,
    deliveries: [],
    url: "",
    /** Waits until `count` deliveries have arrived (or fails after `timeoutMs`). */
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (receiver.deliveries.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} webhook deliveries, got ${receiver.deliveries.length}`);
        }
        await sleep(10);
      }
      return receiver.deliveries[count - 1];
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      receiver.deliveries.push({
        method: req.method,
        path: req.url,
        headers: req.headers,
        raw,
        json: JSON.parse(raw.toString("utf8")),
      });
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${server.address().port}/hooks/edge-auth`;
  return receiver;
}
