#!/usr/bin/env bash
# Latency and load of the Worker in local workerd, printed as tables: cold start; p50/p99, throughput and
# status counts for token refresh, for login at 100k/310k/600k PBKDF2 iterations and with Argon2id, and for
# the OAuth callback (GitHub against a local fake, OIDC against a local oidc-provider); CPU ms per request;
# workerd memory. Loopback only (127.0.0.1), bounded request counts (about 2 minutes).
# Exits 1 if any request got a 5xx or failed. Not part of scripts/test.sh: timings depend on the machine.
#
#   ./scripts/load.sh [--quick] [--no-build]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

build=true
load_args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=false ;;
    --quick) load_args+=(--quick) ;;
    *) die "usage: scripts/load.sh [--quick] [--no-build]" ;;
  esac
done

resolve_node
if $build; then
  step "build the Worker" "$REPO_ROOT/scripts/build-worker.sh"
fi
exec "$NODE" scripts/load.mjs "${load_args[@]}"
