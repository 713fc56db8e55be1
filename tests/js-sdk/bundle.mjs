// Bundles the official @medusajs/js-sdk with tests/js-sdk/flows.mjs for the browser (esbuild, a
// devDependency), as a storefront's build would, and serves it from a page on its own origin.

import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));

// The page's script: `openSdk(options)` makes a client and answers its index; `sdkCall(index, step, args)`
// runs one step of flows.mjs and answers its plain-JSON result (what page.evaluate can carry).
const ENTRY = `
import Medusa from "@medusajs/js-sdk";
import { sdkFlows } from "./flows.mjs";
const clients = [];
window.openSdk = (options) => clients.push(sdkFlows(Medusa, options)) - 1;
window.sdkCall = (index, step, args) => clients[index][step](...args);
`;

/** The bundle's source text (an IIFE for a classic <script>). */
export async function bundleSdk() {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: HERE, sourcefile: "page-entry.mjs", loader: "js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>js-sdk test storefront</title>
<script src="/sdk.js"></script></head><body><p>js-sdk test storefront</p></body></html>`;

/**
 * Serves the page (`/`) and the bundle (`/sdk.js`) on 127.0.0.1, any free port. Answers
 * { origin, close() }.
 */
export async function serveStorefront(bundle) {
  const server = createServer((req, res) => {
    if (req.url === "/sdk.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(bundle);
    } else if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { origin, close };
}
