// What the browser tests run against: the built Worker under `wrangler dev` (workerd, static assets from
// www/, local KV and Durable Objects persisted to a temp dir) — what `./scripts/run.sh` runs — plus the
// real local OpenID Provider of the OIDC tests (tests/fixtures/oauth/op.mjs), and headless Chromium driven
// by playwright-core. Everything is bounded by timeouts and torn down by `stop()`.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startOp } from "../fixtures/oauth/op.mjs";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "www");

/** The third-party provider the page offers: the local OP as the generic OIDC provider "corp". */
export const OIDC_ID = "corp";
/** Signs the dev webhook's deliveries; development only, like everything in these vars. */
const WEBHOOK_SECRET = "dev-only-webhook-secret-for-the-browser-tests-0123";

/** Debian's Chromium (never `npx playwright install`: it downloads a browser) with this network's flags. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const READY_TIMEOUT_MS = 90_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function assertBuilt() {
  for (const file of ["build/worker/edge_auth.js", "build/worker/edge_auth_bg.wasm", "www/pkg/browser.js"]) {
    if (!existsSync(join(REPO_ROOT, file))) {
      throw new Error(
        `${file} is missing: run ./scripts/build-worker.sh, ./scripts/build-pkg.sh and ./scripts/build-www.sh (./scripts/test.sh does)`,
      );
    }
  }
}

/** Polls `url` until it answers 200, the process dies, or the deadline passes. */
async function waitUntilServing(url, child, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${readFileSync(logFile, "utf8").slice(-3000)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`wrangler dev did not serve ${url} within ${READY_TIMEOUT_MS} ms:\n${readFileSync(logFile, "utf8").slice(-3000)}`);
}

/** Kills a process group started with `detached: true`, waiting (bounded) for it to go. */
async function killGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(2000)]);
  }
}

/**
 * Starts the OP and `wrangler dev` on a free port. Returns { origin, page, op, log, stop() }.
 * `page` is the sign-in page's URL, which is also the allow-listed `return_to`.
 */
export async function startStack() {
  assertBuilt();
  // Only this run's screenshots and log.
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const page = `${origin}/`;
  const callback = `${origin}/auth/customer/${OIDC_ID}/callback`;
  const op = await startOp({ redirectUris: [callback] });

  const persist = mkdtempSync(join(tmpdir(), "edge-auth-www-"));
  const vars = {
    ENVIRONMENT: "development",
    // Fast hashing for the tests (the minimum the Worker accepts); the in-browser mode keeps 600,000.
    PBKDF2_ITERATIONS: "1000",
    AUTH_METHODS_PER_ACTOR: JSON.stringify({ customer: ["emailpass", OIDC_ID], user: ["emailpass"] }),
    OIDC_PROVIDERS: JSON.stringify([
      { id: OIDC_ID, issuer: op.issuer, clientId: "edge-oidc", clientSecret: "edge-oidc-secret", callbackUrl: callback },
    ]),
    ALLOWED_REDIRECT_URLS: page,
    // The dev-only webhook sink: the Worker delivers reset tokens to its own /__dev/outbox, as run.sh sets up.
    RESET_PASSWORD_WEBHOOK_URL: `${origin}/__dev/outbox`,
    RESET_PASSWORD_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // Users (not customers) confirm their email before signing in: the page's verify-email step.
    AUTH_VERIFICATIONS_PER_ACTOR: JSON.stringify({ user: [{ entity_type: "email", auth_provider: "emailpass" }] }),
  };
  const log = join(ARTIFACTS, "wrangler-dev.log");
  const out = openSync(log, "w");
  const wrangler = spawn(
    process.execPath,
    [
      join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js"),
      "dev",
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--inspector-port", String(await freePort()),
      "--persist-to", persist,
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    {
      cwd: REPO_ROOT,
      detached: true, // its own process group: stop() ends wrangler and its workerd together
      stdio: ["ignore", out, out],
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
    },
  );
  const emergencyStop = () => {
    try {
      process.kill(-wrangler.pid, "SIGKILL");
    } catch {
      // gone
    }
  };
  process.once("exit", emergencyStop);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killGroup(wrangler);
    process.removeListener("exit", emergencyStop);
    await op.close();
    rmSync(persist, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(`${origin}/auth/providers`, wrangler, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, page, op, log, stop };
}

/** Headless Chromium; every page it opens records CSP violations and uncaught errors in `problems`. */
export async function launchBrowser() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  const problems = [];
  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(20_000);
    page.on("console", (message) => {
      // Chromium reports CSP refusals on the console ("Refused to … because it violates … Content Security
      // Policy"). Failed fetches (the 401 of a wrong password) are logged too, and are expected.
      const text = message.text();
      if (/Content Security Policy|Trusted Type/i.test(text)) problems.push(`${page.url()}: ${text}`);
    });
    page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught: ${error.message}`));
    return page;
  };
  return { browser, newPage, problems };
}

/** Saves a full-page screenshot as test-artifacts/www/<name>.png and answers its path. */
export async function screenshot(page, name) {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
