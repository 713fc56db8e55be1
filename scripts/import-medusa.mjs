// Imports a Medusa store's identities into an edge-auth Worker through its admin API
// (POST /admin/auth-identities/import), from an NDJSON export of Medusa's auth_identity and
// provider_identity tables (the psql query: docs/migrating-from-medusa.md#the-import-command).
// Run through ./scripts/import-medusa.sh.
//
//   ADMIN_SECRET=… node scripts/import-medusa.mjs --url https://auth.example.com --file identities.ndjson
//     [--checkpoint FILE]   default: <file>.checkpoint.json; resumes from it when it exists
//     [--failures FILE]     default: <file>.failed.ndjson; one {line, id, error} per failed identity
//     [--batch N]           identities per request, at most 50 (the Worker's maximum; default 50)
//
// When identities were created, the command ends with a recount of the stored-hash tally
// (POST /admin/password-costs/recount, paged): each batch counts its hashes in one write, but Workers KV
// takes one write a second per key, so a fast import can lose some; the recount makes it exact.
//
// Batches are cut at 50 identities or 15,000 bytes (the Worker takes 16 KiB a request). After every
// batch the checkpoint records the lines done and the counts so far (written to a temporary file and
// renamed, so a crash leaves the old or the new one); a re-run continues after it, and re-importing an
// identity is harmless anyway (`unchanged`). A request that fails (network, 429, 5xx) is retried three
// times with a growing pause, then the command stops with the checkpoint in place. Exit status: 0 when
// every identity was created or unchanged, 1 when some failed, 2 when the import stopped.

import { createReadStream, existsSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const MAX_BATCH = 50;
const MAX_BATCH_BYTES = 15_000;
const RETRIES = 3;

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    file: { type: "string" },
    checkpoint: { type: "string" },
    failures: { type: "string" },
    batch: { type: "string", default: String(MAX_BATCH) },
  },
});
const usage = "usage: ADMIN_SECRET=… scripts/import-medusa.sh --url URL --file EXPORT.ndjson [--checkpoint FILE] [--failures FILE] [--batch N]";
const secret = process.env.ADMIN_SECRET;
if (!args.url || !args.file || !secret) {
  console.error(usage);
  process.exit(2);
}
const batchSize = Number(args.batch);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
  console.error(`--batch must be between 1 and ${MAX_BATCH}`);
  process.exit(2);
}
const endpoint = new URL("/admin/auth-identities/import", args.url);
const checkpointFile = args.checkpoint ?? `${args.file}.checkpoint.json`;
const failuresFile = args.failures ?? `${args.file}.failed.ndjson`;

/** Lines done and counts so far: from the checkpoint when it is this file's. */
function loadCheckpoint() {
  if (!existsSync(checkpointFile)) return { file: args.file, line: 0, created: 0, unchanged: 0, failed: 0, ms: 0 };
  const saved = JSON.parse(readFileSync(checkpointFile, "utf8"));
  if (saved.file !== args.file) {
    console.error(`${checkpointFile} belongs to ${saved.file}, not ${args.file}: remove it or pass --checkpoint`);
    process.exit(2);
  }
  return saved;
}

function saveCheckpoint(state) {
  writeFileSync(`${checkpointFile}.tmp`, JSON.stringify(state) + "\n");
  renameSync(`${checkpointFile}.tmp`, checkpointFile);
}

async function countLines(file) {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim()) n++;
  }
  return n;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs one batch; the Worker's answer, or an Error after the retries. */
async function send(lines) {
  let lastError;
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    if (attempt > 0) await sleep(500 * 2 ** attempt);
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/x-ndjson" },
        body: lines.map((l) => l.text).join("\n") + "\n",
      });
      const text = await response.text();
      if (response.status === 200) return JSON.parse(text);
      lastError = new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
      // 4xx other than 429: the batch itself is refused (a wrong secret, a malformed request); retrying
      // will not help.
      if (response.status < 500 && response.status !== 429) break;
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

const state = loadCheckpoint();
const loadedCreated = state.created;
const total = await countLines(args.file);
const started = performance.now() - state.ms;
const interactive = process.stderr.isTTY;

function progress(done) {
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? (done - resumedAt) / ((performance.now() - startedThisRun) / 1000) : 0;
  const percent = total ? ((100 * done) / total).toFixed(1) : "100.0";
  const width = 30;
  const filled = Math.round((width * done) / Math.max(total, 1));
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const text =
    `[${bar}] ${done}/${total} (${percent}%) created ${state.created}, unchanged ${state.unchanged}, ` +
    `failed ${state.failed}, ${rate.toFixed(0)}/s`;
  if (interactive) process.stderr.write(`\r${text}`);
  else console.error(text);
}

let done = 0; // identities (non-blank lines) passed, this run and before
let resumedAt = 0;
const startedThisRun = performance.now();
let batch = [];
let batchBytes = 0;
let lineNo = 0;

async function flush() {
  if (batch.length === 0) return;
  let answer;
  try {
    answer = await send(batch);
  } catch (e) {
    if (interactive) process.stderr.write("\n");
    console.error(`import stopped at line ${batch[0].line}: ${e.message}`);
    console.error(`the checkpoint ${checkpointFile} says where to resume: run the same command again`);
    process.exit(2);
  }
  for (const [i, result] of answer.results.entries()) {
    state[result.status]++;
    if (result.status === "failed") {
      appendFileSync(failuresFile, JSON.stringify({ line: batch[i].line, id: result.id, error: result.error }) + "\n");
    }
  }
  done += batch.length;
  state.line = batch[batch.length - 1].line;
  state.ms = performance.now() - started;
  saveCheckpoint(state);
  batch = [];
  batchBytes = 0;
  progress(done);
}

if (state.line > 0) console.error(`resuming after line ${state.line} (${checkpointFile})`);
for await (const text of createInterface({ input: createReadStream(args.file), crlfDelay: Infinity })) {
  lineNo++;
  if (!text.trim()) continue;
  if (lineNo <= state.line) {
    done++;
    resumedAt = done;
    continue;
  }
  const bytes = Buffer.byteLength(text) + 1;
  if (bytes > MAX_BATCH_BYTES) {
    // Alone it would still exceed what the Worker reads: reported here, never sent.
    state.failed++;
    appendFileSync(failuresFile, JSON.stringify({ line: lineNo, id: null, error: `over ${MAX_BATCH_BYTES} bytes` }) + "\n");
    done++;
    continue;
  }
  if (batch.length === batchSize || batchBytes + bytes > MAX_BATCH_BYTES) await flush();
  batch.push({ line: lineNo, text });
  batchBytes += bytes;
}
await flush();
if (interactive) process.stderr.write("\n");

const createdBefore = loadedCreated;
if (state.created > createdBefore) {
  let cursor;
  let answer;
  do {
    const url = new URL("/admin/password-costs/recount", args.url);
    if (cursor) url.searchParams.set("cursor", cursor);
    const response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${secret}` } });
    answer = await response.json();
    if (response.status !== 200) {
      console.error(`the hash-cost recount failed (HTTP ${response.status}): run POST /admin/password-costs/recount`);
      break;
    }
    cursor = answer.next_cursor;
  } while (cursor);
  if (answer?.costs) console.error(`stored password hashes by cost: ${JSON.stringify(answer.costs)}`);
}

const seconds = (performance.now() - started) / 1000;
console.log(
  `imported ${total} identities from ${args.file} in ${seconds.toFixed(1)} s: ` +
    `created ${state.created}, unchanged ${state.unchanged}, failed ${state.failed}` +
    (state.failed ? ` (see ${failuresFile})` : ""),
);
// Finished: the next run starts over (every identity then reports unchanged).
rmSync(checkpointFile, { force: true });
process.exit(state.failed ? 1 : 0);
