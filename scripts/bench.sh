#!/usr/bin/env bash
# PBKDF2 benchmark in V8 (the engine of Workers), one command, one run:
#
#   ./scripts/bench.sh [--iterations N] [--runs N]    default 600,000 iterations, median of 7 runs
#   ./scripts/bench.sh --build-only                    only build build/bench/ (a build check, no timing)
#
# Builds the crate for Node with the `bench` feature (wasm exports of our PBKDF2, the `pbkdf2` crate's, and
# a raw sha2 `compress256` loop; release profile and +simd128, exactly like the Worker) into build/bench/,
# then scripts/bench.mjs prints side by side iterations/s of ours, the crate, the compression bound
# (single-block rate ÷ 2) and Node's WebCrypto, the ratios, and PASS/FAIL per target (exit 1 on a FAIL).
# Timing is noisy on a busy machine: it is not part of scripts/test.sh. Native benches: cargo bench --bench kdf
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

build_only=false
if [[ "${1:-}" == "--build-only" ]]; then
  build_only=true
  shift
fi

resolve_node
command -v wasm-pack >/dev/null || die "wasm-pack not found: run scripts/setup.sh"

# --target nodejs: CommonJS glue that loads the .wasm synchronously. Flags otherwise as build-worker.sh.
step "build the bench wasm (wasm-pack --target nodejs, --features bench)" \
  wasm-pack --log-level warn build . \
  --target nodejs --mode no-install --release --no-opt \
  --out-dir build/bench --out-name edge_auth_bench --no-typescript --no-pack \
  -- --features bench

$build_only && exit 0
exec "$NODE" scripts/bench.mjs "$@"
