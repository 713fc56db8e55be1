#!/usr/bin/env bash
# Builds the Worker: the crate with the `worker` feature, compiled to wasm32 by wasm-pack, with JS glue for
# `--target web` (it exports `initSync`, which worker/entry.mjs calls with the module workerd compiled).
# Output: build/worker/edge_auth.js + build/worker/edge_auth_bg.wasm. Run scripts/setup.sh first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

# --mode no-install: use the wasm-bindgen on PATH (setup.sh put the Cargo.lock version there) and fail
#   instead of downloading one from GitHub.
# --no-opt: never run a wasm-opt found on PATH (Debian's binaryen 108 breaks the module); Cargo.toml's
#   wasm-pack metadata turns it off too.
# --no-pack: the Worker needs no package.json; --no-typescript: nor .d.ts files.
wasm-pack --log-level warn build . \
  --target web --mode no-install --release --no-opt \
  --out-dir build/worker --out-name edge_auth --no-typescript --no-pack \
  -- --features worker

for artifact in build/worker/edge_auth.js build/worker/edge_auth_bg.wasm; do
  [[ -s "$artifact" ]] || die "wasm-pack did not produce $artifact"
done

# Function names (the wasm "name" section) are ~20 % of the module, ~50 KB gzipped, and workerd never needs
# them (panic messages keep their text). KEEP_WASM_NAMES=1 keeps them for named stack traces.
# scripts/size-report.sh reads the names from its own unstripped copy.
if [[ "${KEEP_WASM_NAMES:-}" != 1 ]]; then
  resolve_node
  "$NODE" scripts/strip-wasm-names.mjs build/worker/edge_auth_bg.wasm
fi
wasm_bytes=$(wc -c <build/worker/edge_auth_bg.wasm)
wasm_gzip_bytes=$(gzip -9 -c build/worker/edge_auth_bg.wasm | wc -c)
printf '    build/worker/edge_auth_bg.wasm: %d KiB (%d KiB gzipped)\n' $((wasm_bytes / 1024)) $((wasm_gzip_bytes / 1024))
