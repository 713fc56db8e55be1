#!/usr/bin/env bash
# Latency and load of the Worker in local workerd, printed as tables: cold start; p50/p99, throughput and
# status counts for token refresh, for login at 100k/310k/600k PBKDF2 iterations and with Argon2id, and for
# the OAuth callback (GitHub against a local fake, OIDC against a local oidc-provider), for sign-ins owing MFA
# or an email verification, MFA challenges, verification codes and Medusa scrypt hashes; CPU ms per request;
# the isolate's memory. Loopback only (127.0.0.1), bounded request counts (about 3 minutes).
# Exits 1 if any request got a 5xx, failed or got another status than expected. Not part of scripts/test.sh:
# timings depend on the machine.
#
#   ./scripts/load.sh [--quick] [--no-build] [--only GROUP,...]
#     groups: cold, refresh, login, oauth, mfa, verification, medusa (scripts/load.mjs says what each runs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

build=true
load_args=()
while (($#)); do
  case "$1" in
    --no-build) build=false ;;
    --quick) load_args+=(--quick) ;;
    --only) (($# >= 2)) || die "--only needs a list of groups"; load_args+=(--only "$2"); shift ;;
    *) die "usage: scripts/load.sh [--quick] [--no-build] [--only GROUP,...]" ;;
  esac
  shift
done

resolve_node
if $build; then
  step "build the Worker" "$REPO_ROOT/scripts/build-worker.sh"
fi
exec "$NODE" scripts/load.mjs "${load_args[@]}"
