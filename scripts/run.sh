#!/usr/bin/env bash
# Runs the Worker locally in workerd (wrangler dev) on http://127.0.0.1:8787, with the KV namespace
# persisted under .wrangler/state (survives restarts) and ENVIRONMENT=development (built-in dev JWT secret).
# The sign-in page (www/) is at http://127.0.0.1:8787/: it is allowed as a third-party sign-in return_to,
# and password-reset deliveries go to the Worker's own development-only outbox (/__dev/outbox), which the
# page shows. Its in-browser mode (/local.html) needs the npm package: ./scripts/build-pkg.sh first.
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
step "the npm package for the page's in-browser mode (www/pkg)" "$REPO_ROOT/scripts/build-www.sh" --if-built

# true if the user passed the flag, as `--flag value` or `--flag=value`
user_passed() {
  local flag="$1" arg
  shift
  for arg in "$@"; do
    [[ "$arg" == "$flag" || "$arg" == "$flag="* ]] && return 0
  done
  return 1
}

# the value the user gave the flag (`--flag value` or `--flag=value`), else $2
user_value() {
  local flag="$1" fallback="$2" arg take=false
  shift 2
  for arg in "$@"; do
    if $take; then
      fallback="$arg"
      take=false
    elif [[ "$arg" == "$flag" ]]; then
      take=true
    elif [[ "$arg" == "$flag="* ]]; then
      fallback="${arg#"$flag="}"
    fi
  done
  printf '%s' "$fallback"
}

defaults=()
user_passed --ip "$@" || defaults+=(--ip 127.0.0.1)
user_passed --port "$@" || defaults+=(--port 8787)
user_passed --persist-to "$@" || defaults+=(--persist-to .wrangler/state)

# Development-only defaults for the sign-in page; a later --var of the user's replaces any of them.
port="$(user_value --port 8787 "$@")"
host="$(user_value --ip 127.0.0.1 "$@")"
[[ "$host" == "0.0.0.0" || "$host" == "::" ]] && host=127.0.0.1
dev_vars=(
  --var ENVIRONMENT:development
  # the page may be the return_to of third-party sign-in (by either name of this machine)
  --var "ALLOWED_REDIRECT_URLS:http://$host:$port/,http://localhost:$port/"
  # reset tokens are delivered to the Worker's own dev-only webhook sink, shown by the page's DEV ONLY panel
  --var "RESET_PASSWORD_WEBHOOK_URL:http://$host:$port/__dev/outbox"
  --var RESET_PASSWORD_WEBHOOK_SECRET:edge-auth-DEV-ONLY-webhook-secret-never-use-in-production
)

say "wrangler dev ${defaults[*]-} ${dev_vars[*]} $*"
say "sign-in page: http://$host:$port/  (in-browser mode: http://$host:$port/local.html)"
# ${a[@]+"${a[@]}"}: an empty array under `set -u` is an error in bash before 4.4 (macOS ships 3.2).
exec "$NODE" "$REPO_ROOT/node_modules/wrangler/bin/wrangler.js" dev \
  ${defaults[@]+"${defaults[@]}"} "${dev_vars[@]}" "$@"
