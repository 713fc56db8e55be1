// What the `medusa` stage's flows run against: the built Worker in workerd (the harness of tests/worker/),
// and a stock Medusa 2.21.2 backend (tests/medusa-backend/) started with `medusa start` on a free port of
// 127.0.0.1, on the PostgreSQL cluster tests/medusa/run.sh made (DATABASE_URL). Each backend runs in its
// own process group, stopped by its PID (and killed on exit, Ctrl-C or SIGTERM if a test dies first); its
// log is test-artifacts/medusa/<name>.log.

import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "../worker/harness.mjs";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BACKEND_DIR = join(REPO_ROOT, "tests", "medusa-backend");
export const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "medusa");
const MEDUSA_CLI = join(BACKEND_DIR, "node_modules", "@medusajs", "cli", "cli.js");

/** The Worker's ADMIN_SECRET, which the bridge uses as its credential. */
export const ADMIN_SECRET = "admin-medusa-e2e-stage-0123456789abcdef";
/** Medusa's session cookies (unused by bearer-token flows, but required outside development). */
const COOKIE_SECRET = "cookie-medusa-e2e-stage-0123456789abcdef";

/** Bound for `medusa start` to answer /health (≈ 4 s measured; a busy 2-core machine is slower). */
const READY_TIMEOUT_MS = 120_000;
/** Bound for a CLI run (`medusa user`). */
const CLI_TIMEOUT_MS = 120_000;

/** What run.sh exported: the database and the storefront's publishable key. */
export function stageEnv() {
  const { DATABASE_URL, MEDUSA_PUBLISHABLE_KEY } = process.env;
  if (!DATABASE_URL || !MEDUSA_PUBLISHABLE_KEY) {
    throw new Error(
      "DATABASE_URL or MEDUSA_PUBLISHABLE_KEY is not set: run these tests through ./scripts/test.sh medusa (tests/medusa/run.sh)",
    );
  }
  return { databaseUrl: DATABASE_URL, publishableKey: MEDUSA_PUBLISHABLE_KEY };
}

/** The backend's environment for medusa-config.js (see its header): `env` adds to and wins over it. */
function backendEnv(env) {
  const merged = {
    ...process.env,
    DATABASE_URL: stageEnv().databaseUrl,
    COOKIE_SECRET,
    // The stage never talks to Medusa's telemetry (and could not: only package registries are reachable).
    MEDUSA_DISABLE_TELEMETRY: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    ...env,
  };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

function logFile(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, `${name}.log`);
}

const tail = (file) => readFileSync(file, "utf8").slice(-4000);

/** A deadline for a race: an unref'd timer, so a race won by the other side leaves nothing keeping the
 * test process alive. */
const deadline = (ms) => sleep(ms, undefined, { ref: false });

// Each backend and CLI run is its own process group (detached), so a Ctrl-C or a SIGTERM meant for the
// tests does not reach it: these kill what is still running, on exit and on those signals.
const emergencyStops = new Set();
const killAll = () => {
  for (const stop of emergencyStops) stop();
};
process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}

/** Registers `child`'s process group for killAll; answers a function that unregisters it. */
function killedOnExit(child) {
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone
    }
  };
  emergencyStops.add(stop);
  return () => emergencyStops.delete(stop);
}

/** Ends a process group started with `detached: true`: SIGTERM, then SIGKILL after 10 s; waits for it. */
async function killGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  if (!(await Promise.race([exited.then(() => true), deadline(10_000).then(() => false)]))) {
    signal("SIGKILL");
    await Promise.race([exited, deadline(5_000)]);
  }
}

/**
 * Starts `medusa start` with `env` (medusa-config.js's variables) and waits for GET /health. Returns
 * { url, log, startMs, fetch(path, init), stop() }; always stop it.
 */
export async function startBackend(name, env) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = logFile(name);
  const out = openSync(log, "w");
  const started = performance.now();
  const child = spawn(process.execPath, [MEDUSA_CLI, "start"], {
    cwd: BACKEND_DIR,
    detached: true, // its own process group: stop() ends Medusa and anything it started
    stdio: ["ignore", out, out],
    env: backendEnv({ HOST: "127.0.0.1", PORT: String(port), ...env }),
  });
  const forget = killedOnExit(child);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killGroup(child);
    forget();
  };

  const readyBy = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`medusa start exited with ${child.exitCode}; the end of ${log}:\n${tail(log)}`);
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > readyBy) {
      await stop();
      throw new Error(`medusa start did not answer ${url}/health within ${READY_TIMEOUT_MS} ms; the end of ${log}:\n${tail(log)}`);
    }
    await sleep(250);
  }
  const startMs = Math.round(performance.now() - started);
  return {
    url,
    log,
    startMs,
    /** A request to the backend; `path` is resolved against its URL. */
    fetch: (path, init = {}) => fetch(new URL(path, url), { signal: AbortSignal.timeout(60_000), ...init }),
    stop,
  };
}

/**
 * Runs the Medusa CLI (`medusa <args>`) in the backend's directory with `env`; resolves with
 * { code, output } once it exits (bounded by CLI_TIMEOUT_MS).
 */
export async function medusaCli(name, args, env) {
  const log = logFile(name);
  const out = openSync(log, "w");
  const child = spawn(process.execPath, [MEDUSA_CLI, ...args], {
    cwd: BACKEND_DIR,
    detached: true,
    stdio: ["ignore", out, out],
    env: backendEnv(env),
  });
  const forget = killedOnExit(child);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  const code = await Promise.race([exited, deadline(CLI_TIMEOUT_MS).then(() => "timeout")]);
  if (code === "timeout") await killGroup(child);
  forget();
  return { code, output: tail(log) };
}

/** POST with a JSON body to `base` + `path`; bounded like every request of the stage. */
export function postJson(base, path, json, headers = {}) {
  return fetch(new URL(path, base), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(json),
    signal: AbortSignal.timeout(60_000),
  });
}

/** Runs `fn` and answers [its result, the milliseconds it took]. */
export async function timed(fn) {
  const started = performance.now();
  const result = await fn();
  return [result, Math.round(performance.now() - started)];
}
