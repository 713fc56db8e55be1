#!/usr/bin/env bash
# Imports a Medusa store's identities (an NDJSON export of auth_identity + provider_identity, made with the
# psql query in docs/migrating-from-medusa.md#the-import-command) into an edge-auth Worker through its
# admin API, in batches, with a progress bar, a resumable checkpoint and a closing summary. The admin
# secret comes from the environment, never the command line.
#
#   ADMIN_SECRET=… ./scripts/import-medusa.sh --url https://auth.example.com --file identities.ndjson \
#     [--checkpoint FILE] [--failures FILE] [--batch N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
resolve_node
exec "$NODE" "$REPO_ROOT/scripts/import-medusa.mjs" "$@"
