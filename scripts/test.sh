#!/usr/bin/env bash
# Runs every check and test, in order, and stops at the first failure:
#   setup -> rustfmt -> clippy (native, wasm32 with and without the worker feature) -> cargo test (native)
#   -> wasm tests in headless Chromium -> the npm package's API in headless Chromium and Firefox -> build the
#   Worker -> deploy dry run -> end-to-end suite in workerd -> build the npm package -> its tarball in Node,
#   tsc, a JS Worker and Chromium -> the sign-in page (www/) in Chromium against wrangler dev.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"
started=$SECONDS

step "setup (toolchain, npm packages, chromium, firefox)" "$REPO_ROOT/scripts/setup.sh" --test
resolve_node

step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy (native, all targets)" cargo clippy --quiet --all-targets -- -D warnings
step "cargo clippy (wasm32, --features worker)" \
  cargo clippy --quiet --lib --target "$WASM_TARGET" --features worker -- -D warnings
step "cargo clippy (wasm32, core only)" cargo clippy --quiet --lib --target "$WASM_TARGET" -- -D warnings
step "cargo clippy (wasm32, --features js, with its browser tests)" \
  cargo clippy --quiet --lib --tests --target "$WASM_TARGET" --features js -- -D warnings
step "cargo test (native)" cargo test --quiet
step "wasm tests in headless Chromium (wasm-pack test)" \
  wasm-pack --log-level warn test --headless --chrome --mode no-install
# The npm package's JavaScript API (tests/js_api.rs) in both engines, built as it ships (--release); it also
# prints the time of one register at 600,000 iterations.
step "npm package API in headless Chromium (wasm-pack test --release --features js)" \
  wasm-pack --log-level warn test --headless --chrome --mode no-install --release \
  -- --features js --test js_api -- --nocapture
step "npm package API in headless Firefox (wasm-pack test --release --features js)" \
  wasm-pack --log-level warn test --headless --firefox --mode no-install --release \
  -- --features js --test js_api -- --nocapture
step "build the Worker" "$REPO_ROOT/scripts/build-worker.sh"
step "wasm size budget (scripts/check-size.sh)" "$REPO_ROOT/scripts/check-size.sh"
# What `wrangler deploy` would upload (esbuild bundle + wasm), without uploading: catches bundling problems
# the end-to-end suite cannot see, since Miniflare loads the modules unbundled.
step "wrangler deploy --dry-run (bundle check)" \
  "$NODE" node_modules/wrangler/bin/wrangler.js deploy --dry-run --outdir test-artifacts/worker-bundle
# One file at a time: each test starts its own workerd, one after another.
step "end-to-end tests in workerd (node --test tests/worker/)" \
  "$NODE" --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 "tests/worker/*.test.mjs"
step "build the npm package (scripts/build-pkg.sh)" "$REPO_ROOT/scripts/build-pkg.sh"
step "npm package from its tarball: Node 20 + 22, tsc, a JS Worker in workerd, Chromium" \
  "$NODE" --test --test-reporter=spec --test-timeout=300000 tests/npm/package.test.mjs
# The sign-in page served by the Worker under `wrangler dev`, driven in headless Chromium (playwright-core),
# with the npm package copied into www/pkg for its in-browser mode. Screenshots: test-artifacts/www/.
step "copy the npm package into www/pkg (scripts/build-www.sh)" "$REPO_ROOT/scripts/build-www.sh"
step "sign-in page (www/) in headless Chromium against wrangler dev (node --test tests/browser/)" \
  "$NODE" --test --test-reporter=spec --test-timeout=300000 "tests/browser/*.test.mjs"

say "all tests passed ($((SECONDS - started))s)"
