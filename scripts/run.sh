#!/usr/bin/env bash
# Runs the Worker locally in workerd (wrangler dev) on http://127.0.0.1:8787, with the KV namespace
# persisted under .wrangler/state (survives restarts) and ENVIRONMENT=development (built-in dev JWT secret).
#
#   ./scripts/run.sh [extra wrangler dev args]
#   ./scripts/run.sh --port 9000 --var PBKDF2_ITERATIONS:100000
#
# Extra args are passed to `wrangler dev`; a --port/--ip/--persist-to given here replaces the default
# (wrangler refuses a flag given twice), and a later --var NAME:VALUE overrides an earlier one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

"$REPO_ROOT/scripts/setup.sh"
resolve_node
step "build the Worker (wasm-pack, --features worker)" "$REPO_ROOT/scripts/build-worker.sh"

# true if the user passed the flag, as `--flag value` or `--flag=value`
user_passed() {
  local flag="$1" arg
  shift
  for arg in "$@"; do
    [[ "$arg" == "$flag" || "$arg" == "$flag="* ]] && return 0
  done
  return 1
}

defaults=()
user_passed --ip "$@" || defaults+=(--ip 127.0.0.1)
user_passed --port "$@" || defaults+=(--port 8787)
user_passed --persist-to "$@" || defaults+=(--persist-to .wrangler/state)

say "wrangler dev ${defaults[*]} --var ENVIRONMENT:development $*"
exec "$NODE" "$REPO_ROOT/node_modules/wrangler/bin/wrangler.js" dev \
  "${defaults[@]}" --var ENVIRONMENT:development "$@"
