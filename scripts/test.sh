#!/usr/bin/env bash
# Runs the checks and tests, stage by stage, and stops at the first failure. CI runs every stage.
#
#   ./scripts/test.sh                 every stage, in order
#   ./scripts/test.sh rust wasm       only these stages (always in the order below)
#   ./scripts/test.sh --help          the stages
#
# Stages (docs/development.md#test-stages):
#   docs    links and anchors of README.md, docs/*.md, npm/README.md and of docs/… references in code;
#           the link checker's own tests
#   rust    rustfmt, clippy (native, wasm32 with the worker feature, core only, js feature), cargo test (also the password module without argon2id)
#   wasm    the core as wasm in headless Chromium (email lower-casing in Firefox too), the npm package's API in
#           headless Chromium and Firefox
#   worker  build the Worker, its size budget, the deploy dry run, the end-to-end suite in workerd
#   npm     build the npm package, its tarball in Node 20 + 22, tsc, a JS Worker in workerd and Chromium;
#           the Medusa bridge (edge-auth/medusa) against the Worker in workerd
#   www     the sign-in page (www/) in headless Chromium against wrangler dev (uses the worker and npm builds)
#   medusa  a stock Medusa 2.21.2 backend (npm) on a private PostgreSQL cluster (apt) with edge-auth/medusa as
#           its Auth Module, against the Worker in workerd: storefront and admin flows, HS256 and ES256, faults
# Setup (scripts/setup.sh, idempotent) runs first whatever the stages, installing only what they need.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"
started=$SECONDS

STAGES=(docs rust wasm worker npm www medusa)

usage() {
  cat <<USAGE
usage: ./scripts/test.sh [STAGE ...]    (no stage: all of them)

stages, run in this order:
  docs    links and anchors in README.md, docs/*.md, npm/README.md and docs/… references in code
          (scripts/check-docs.mjs), and the checker's own tests
  rust    cargo fmt --check, cargo clippy (native and wasm32), cargo test
  wasm    wasm-pack tests in headless Chromium (email lower-casing in Firefox too); the npm package's API in headless Chromium and Firefox
  worker  build the Worker, wasm size budget, wrangler deploy --dry-run, end-to-end tests in workerd
  npm     build the npm package; its tarball in Node 20 + 22, tsc, a JS Worker in workerd, Chromium;
          the Medusa bridge edge-auth/medusa against the Worker in workerd (builds it if missing)
  www     the sign-in page in headless Chromium against wrangler dev (needs the worker and npm builds:
          run it with those stages, or after them)
  medusa  a stock Medusa 2.21.2 backend (tests/medusa-backend, npm ci) on a private PostgreSQL cluster
          (apt), edge-auth/medusa as its Auth Module, against the Worker in workerd (tests/medusa/);
          builds the Worker and the npm package unless the worker and npm stages run too
USAGE
}

selected=()
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      usage
      exit 0
      ;;
  esac
  known=false
  for stage in "${STAGES[@]}"; do
    [[ "$arg" == "$stage" ]] && known=true
  done
  if ! $known; then
    printf '%serror:%s unknown stage %q; valid stages: %s\n' "$_red" "$_reset" "$arg" "${STAGES[*]}" >&2
    exit 2
  fi
  selected+=("$arg")
done
((${#selected[@]} > 0)) || selected=("${STAGES[@]}")

# wants STAGE: whether STAGE was asked for.
wants() {
  local stage
  for stage in "${selected[@]}"; do
    [[ "$stage" == "$1" ]] && return 0
  done
  return 1
}

# Installs only what the chosen stages use: rustfmt/clippy for rust, the browsers for wasm, npm and www.
setup_args=()
wants rust && setup_args+=(--lint)
if wants wasm || wants npm || wants www; then setup_args+=(--browsers); fi
wants medusa && setup_args+=(--postgres)
say "stages: ${selected[*]}"

# stage NAME: whether NAME was asked for; if so, says the stage starts.
stage() {
  wants "$1" || return 1
  say "stage $1"
}

step "setup (toolchain, npm packages${setup_args[*]:+, ${setup_args[*]}})" \
  "$REPO_ROOT/scripts/setup.sh" ${setup_args[@]+"${setup_args[@]}"}
resolve_node

if stage docs; then
  step "docs: relative links and anchors (scripts/check-docs.mjs)" "$NODE" scripts/check-docs.mjs
  step "docs: the link checker's own tests (node --test tests/docs/*.test.mjs)" \
    "$NODE" --test --test-reporter=spec "tests/docs/*.test.mjs"
fi

if stage rust; then
  step "cargo fmt --check" cargo fmt --all -- --check
  step "cargo clippy (native, all targets)" cargo clippy --quiet --all-targets -- -D warnings
  # Deployments on PBKDF2 alone build without the `argon2id` feature: that build stays lint-clean too.
  step "cargo clippy (native, all targets, without default features)" \
    cargo clippy --quiet --all-targets --no-default-features -- -D warnings
  step "cargo clippy (wasm32, --features worker)" \
    cargo clippy --quiet --lib --target "$WASM_TARGET" --features worker -- -D warnings
  step "cargo clippy (wasm32, core only)" cargo clippy --quiet --lib --target "$WASM_TARGET" -- -D warnings
  step "cargo clippy (wasm32, --features js, with its browser tests)" \
    cargo clippy --quiet --lib --tests --target "$WASM_TARGET" --features js -- -D warnings
  step "cargo test (native)" cargo test --quiet
  # The default build has Argon2id; the password module's refusal of it without the feature runs here.
  step "cargo test (native, password module without the argon2id feature)" \
    cargo test --quiet --lib --no-default-features password::
fi

if stage wasm; then
  step "wasm tests in headless Chromium (wasm-pack test)" \
    wasm-pack --log-level warn test --headless --chrome --mode no-install
  step "emails lower-cased by Firefox's JavaScript as natively (wasm-pack test --firefox)" \
    wasm-pack --log-level warn test --headless --firefox --mode no-install -- --test wasm_email
  # The npm package's JavaScript API (tests/js_api.rs) in both engines, built as it ships (--release); it
  # also prints the time of one register at 600,000 iterations.
  step "npm package API in headless Chromium (wasm-pack test --release --features js)" \
    wasm-pack --log-level warn test --headless --chrome --mode no-install --release \
    -- --features js --test js_api -- --nocapture
  step "npm package API in headless Firefox (wasm-pack test --release --features js)" \
    wasm-pack --log-level warn test --headless --firefox --mode no-install --release \
    -- --features js --test js_api -- --nocapture
fi

if stage worker; then
  step "build the Worker" "$REPO_ROOT/scripts/build-worker.sh"
  step "wasm size budget (scripts/check-size.sh)" "$REPO_ROOT/scripts/check-size.sh"
  # What `wrangler deploy` would upload (esbuild bundle + wasm), without uploading: catches bundling
  # problems the end-to-end suite cannot see, since Miniflare loads the modules unbundled.
  step "wrangler deploy --dry-run (bundle check)" \
    "$NODE" node_modules/wrangler/bin/wrangler.js deploy --dry-run --outdir test-artifacts/worker-bundle
  # One file at a time: each test starts its own workerd, one after another.
  step "end-to-end tests in workerd (node --test tests/worker/)" \
    "$NODE" --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 "tests/worker/*.test.mjs"
fi

if stage npm; then
  step "build the npm package (scripts/build-pkg.sh)" "$REPO_ROOT/scripts/build-pkg.sh"
  step "npm package wasm size budget (scripts/check-size.sh --npm)" "$REPO_ROOT/scripts/check-size.sh" --npm
  step "npm package from its tarball: Node 20 + 22, tsc, a JS Worker in workerd, Chromium" \
    "$NODE" --test --test-reporter=spec --test-timeout=300000 tests/npm/package.test.mjs
  # The Medusa bridge (edge-auth/medusa) against the built Worker in workerd: the worker stage's build,
  # made here when this stage runs alone.
  if [[ ! -f "$REPO_ROOT/build/worker/edge_auth_bg.wasm" ]]; then
    step "build the Worker for the bridge's suite (scripts/build-worker.sh)" "$REPO_ROOT/scripts/build-worker.sh"
  fi
  step "the Medusa bridge edge-auth/medusa against the Worker in workerd (tests/medusa-bridge/)" \
    "$NODE" --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 "tests/medusa-bridge/*.test.mjs"
fi

if stage www; then
  # The sign-in page served by the Worker under `wrangler dev`, driven in headless Chromium
  # (playwright-core), with the npm package copied into www/pkg for its in-browser mode. Uses the builds of
  # the worker and npm stages. Screenshots: test-artifacts/www/.
  step "copy the npm package into www/pkg (scripts/build-www.sh)" "$REPO_ROOT/scripts/build-www.sh"
  step "sign-in page (www/) in headless Chromium against wrangler dev (node --test tests/browser/)" \
    "$NODE" --test --test-reporter=spec --test-timeout=300000 "tests/browser/*.test.mjs"
fi

if stage medusa; then
  # The Worker and the npm package (edge-auth/medusa) as this checkout builds them: the worker and npm
  # stages of this run built them already; otherwise build them here (incremental, seconds when current).
  wants worker || step "build the Worker (scripts/build-worker.sh)" "$REPO_ROOT/scripts/build-worker.sh"
  wants npm || step "build the npm package (scripts/build-pkg.sh)" "$REPO_ROOT/scripts/build-pkg.sh"
  # npm ci of the backend (skipped when current), initdb, PostgreSQL on a free port of 127.0.0.1, medusa
  # db:migrate, the publishable key, then tests/medusa/*.test.mjs; PostgreSQL stopped by its PID on any
  # exit. Each step prints its time; the logs are in test-artifacts/medusa/.
  step "Medusa 2.21.2 backend with edge-auth/medusa against the Worker (tests/medusa/run.sh)" \
    "$REPO_ROOT/tests/medusa/run.sh"
fi

say "all tests passed: ${selected[*]} ($((SECONDS - started))s)"
