// PBKDF2-HMAC-SHA256 in V8, side by side in one run: our wasm loop, the `pbkdf2` crate compiled to wasm,
// the wasm SHA-256 compression bound (single-block compression rate ÷ 2, since one PBKDF2 iteration is two
// compressions), and Node's WebCrypto (native OpenSSL). Prints iterations/s, the ratios, and PASS/FAIL for
// the target of issue 15 (ours >= 1.03 x the bound); exits 1 if it is missed. Run through
// ./scripts/bench.sh, which builds build/bench/ first.
//
//   node scripts/bench.mjs [--iterations N] [--runs N] [--wasm DIR]

import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    iterations: { type: "string", default: "600000" },
    runs: { type: "string", default: "7" },
    wasm: { type: "string", default: join(REPO_ROOT, "build", "bench") },
  },
});
const ITERATIONS = Number(args.iterations);
const RUNS = Number(args.runs);
if (!Number.isInteger(ITERATIONS) || ITERATIONS < 1000 || !Number.isInteger(RUNS) || RUNS < 1) {
  throw new Error("--iterations must be a whole number >= 1000 and --runs >= 1");
}

// Issue 15: our compression, specialised to PBKDF2's block, must beat sha2's general one by 3 %. (Issue 7's
// "0.75 x WebCrypto" was withdrawn: native OpenSSL uses SHA instructions wasm cannot reach; see below.)
const TARGET_VS_BOUND = 1.03;

const gluePath = resolve(args.wasm, "edge_auth_bench.js");
if (!existsSync(gluePath)) throw new Error(`${gluePath} is missing: run ./scripts/bench.sh`);
const wasm = createRequire(import.meta.url)(gluePath);

const PASSWORD = new TextEncoder().encode("correct horse battery staple");
const SALT = new TextEncoder().encode("edge-auth-salt16");
const webCryptoKey = await crypto.subtle.importKey("raw", PASSWORD, "PBKDF2", false, ["deriveBits"]);
const webCrypto = (iterations) =>
  crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: SALT, iterations }, webCryptoKey, 256);

// Each way: what one run does for `n` PBKDF2 iterations' worth of work. The bound runs 2n compressions, so
// its time is directly the time n iterations would take at the compression rate.
const ways = [
  { name: "ours: wasm, specialised compression", run: (n) => wasm.bench_pbkdf2_ours(n) },
  // Its generic code is compiled at the opt-level of the crate that instantiates it (edge-auth: "z").
  { name: "pbkdf2 crate, wasm", run: (n) => wasm.bench_pbkdf2_crate(n) },
  { name: "bound: wasm compress256 rate ÷ 2", run: (n) => wasm.bench_compress256(2 * n) },
  { name: "Node WebCrypto (native)", run: (n) => webCrypto(n) },
];

async function timeOnce(way, n) {
  const started = performance.now();
  await way.run(n);
  return performance.now() - started;
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// All three compute the same thing: ours against the crate and against WebCrypto.
if (!wasm.bench_outputs_agree(4096)) throw new Error("our PBKDF2 and the pbkdf2 crate disagree");
const nativeOutput = Buffer.from(await webCrypto(4096));
if (!nativeOutput.equals(Buffer.from(wasm.bench_pbkdf2_ours_output(4096)))) {
  throw new Error("our PBKDF2 and WebCrypto disagree");
}

// Warm-up: V8 compiles wasm with its baseline tier first and swaps in optimised code for the *next* call,
// so many short calls come before any long timed one. The JIT of the JS around WebCrypto warms up too.
for (let i = 0; i < 20; i++) for (const way of ways) await way.run(10_000);
for (const way of ways) await way.run(ITERATIONS);

// Timed runs, round-robin so drift (thermal, other load) hits every way alike.
const samples = ways.map(() => []);
for (let r = 0; r < RUNS; r++) {
  for (const [i, way] of ways.entries()) samples[i].push(await timeOnce(way, ITERATIONS));
}

const results = ways.map((way, i) => {
  const ms = median(samples[i]);
  return { name: way.name, ms, perSecond: ITERATIONS / (ms / 1000), min: Math.min(...samples[i]) };
});
const [ours, crate, bound, native] = results;

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(
  `PBKDF2-HMAC-SHA256, ${fmt(ITERATIONS)} iterations, 32-byte output; median of ${RUNS} runs after warm-up` +
    ` (Node ${process.versions.node}, V8 ${process.versions.v8})`,
);
console.log("");
console.log("| way | ms (median) | ms (best) | iterations/s |");
console.log("|---|---:|---:|---:|");
for (const r of results) {
  console.log(`| ${r.name} | ${r.ms.toFixed(1)} | ${r.min.toFixed(1)} | ${fmt(r.perSecond)} |`);
}
console.log("");

let failed = false;
const check = (label, ratio, target) => {
  const pass = ratio >= target;
  failed ||= !pass;
  console.log(`${label} = ${ratio.toFixed(3)}  (target >= ${target})  ${pass ? "PASS" : "FAIL"}`);
};
check("ours / bound    ", ours.perSecond / bound.perSecond, TARGET_VS_BOUND);
console.log(`ours / WebCrypto = ${(ours.perSecond / native.perSecond).toFixed(3)}  (for information)`);
console.log(`ours / crate     = ${(ours.perSecond / crate.perSecond).toFixed(3)}  (for information)`);
// Wasm has no SHA instructions; native OpenSSL uses SHA-NI where the CPU has it.
console.log(`bound / WebCrypto = ${(bound.perSecond / native.perSecond).toFixed(3)}  (for information)`);
// Ratios of medians above; the same ratios taken within each round (both ways timed back to back) are
// steadier when other processes share the CPU.
const perRound = (i) => median(samples[0].map((t, r) => samples[i][r] / t)).toFixed(3);
console.log(`per-round medians: ours / bound = ${perRound(2)}, ours / WebCrypto = ${perRound(3)}`);

// Argon2id at OWASP parameters, for scale, and the wasm memory it leaves behind (linear memory grows to
// the high-water mark and never shrinks).
if (wasm.bench_argon2id_owasp()) {
  const memoryBefore = wasm.bench_memory_bytes();
  const argon = [];
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    wasm.bench_argon2id_owasp();
    argon.push(performance.now() - started);
  }
  const mib = (b) => (b / 1048576).toFixed(1);
  console.log("");
  console.log(
    `Argon2id m=19456 KiB, t=2, p=1 (one hash): ${median(argon).toFixed(1)} ms median, ` +
      `wasm memory ${mib(memoryBefore)} MiB after the first hash, ${mib(wasm.bench_memory_bytes())} MiB after ${RUNS + 1}`,
  );
}

process.exitCode = failed ? 1 : 0;
