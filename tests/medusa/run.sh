#!/usr/bin/env bash
# The `medusa` test stage's body (docs/development.md#test-stages): a stock Medusa 2.21.2 backend
# (tests/medusa-backend/) on a private PostgreSQL cluster, then the end-to-end flows tests/medusa/*.test.mjs,
# which start the built Worker in workerd and the backend against it. Needs the Worker build
# (scripts/build-worker.sh) and the npm package (scripts/build-pkg.sh), and PostgreSQL's server binaries
# (scripts/setup.sh --postgres installs them from apt).
#
# The cluster lives in a temp dir, listens on a free port of 127.0.0.1 only, and is stopped by its PID on
# exit, failure or interrupt; the temp dir is removed. As root, PostgreSQL runs as the user `postgres` (or
# `nobody`), since it refuses to run as root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
cd "$REPO_ROOT"
resolve_node

BACKEND="$REPO_ROOT/tests/medusa-backend"
MEDUSA_CLI=("$NODE" "$BACKEND/node_modules/@medusajs/cli/cli.js")
# The stage never talks to Medusa's telemetry (and could not: only package registries are reachable).
export MEDUSA_DISABLE_TELEMETRY=true

# --- the backend's node_modules ------------------------------------------------------------------------

# sha256sum on Linux, shasum on macOS.
sha256_of_stdin() {
  if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1
}

install_backend() {
  [[ -f "$REPO_ROOT/pkg/package.json" ]] || die "pkg/ is missing: run ./scripts/build-pkg.sh first"
  local stamp_file="$BACKEND/node_modules/.edge-auth-npm-ci.stamp"
  local stamp
  stamp="$(cat "$BACKEND/package.json" "$BACKEND/package-lock.json" | sha256_of_stdin)"
  if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    skip "npm ci (tests/medusa-backend)" "node_modules matches package-lock.json"
  else
    # ≈ 700 MB. --loglevel=error hides the EBADENGINE warnings of a dependency that wants Node 22.15 under
    # the system npm's Node 20; the backend itself runs on $NODE.
    step "npm ci (tests/medusa-backend: Medusa 2.21.2)" \
      npm ci --prefix "$BACKEND" --no-audit --no-fund --loglevel=error
    echo "$stamp" >"$stamp_file"
  fi
  # edge-auth comes from pkg/ (`file:../../pkg`, copied, not linked: .npmrc's install-links), which changes
  # with every build while the lockfile does not: refresh the copy each run (about 1 MB).
  rm -rf "$BACKEND/node_modules/edge-auth"
  cp -R "$REPO_ROOT/pkg" "$BACKEND/node_modules/edge-auth"
}

step "install the Medusa backend (tests/medusa-backend)" install_backend
# The bridge suite's one test that needs @medusajs/framework installed (the npm stage, which runs first,
# skips it): the export Medusa's loader takes, and the framework's own MedusaError.
step "the bridge with @medusajs/framework 2.21.2 installed (tests/medusa-bridge/, that test)" \
  "$NODE" --test --test-reporter=spec --test-concurrency=1 --test-name-pattern="with @medusajs/framework" \
  tests/medusa-bridge/bridge.test.mjs

# --- PostgreSQL (throwaway data: no fsync) --------------------------------------------------------------------------------------------

# The newest server binaries Debian installed (/usr/lib/postgresql/<version>/bin), else initdb on PATH.
pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then
    echo "$dir"
  elif command -v initdb >/dev/null; then
    dirname "$(command -v initdb)"
  else
    die "PostgreSQL's initdb not found: run ./scripts/setup.sh --postgres (apt), or put PostgreSQL's server binaries on PATH"
  fi
}
PG_BIN="$(pg_bindir)"

# PostgreSQL refuses to run as root: then its commands run as `postgres` (Debian's package creates it) or
# `nobody`, in directories that user owns.
as_pg=()
if [[ $EUID -eq 0 ]]; then
  if id -u postgres >/dev/null 2>&1; then pg_user=postgres; else pg_user=nobody; fi
  as_pg=(runuser -u "$pg_user" --)
fi

PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/edge-auth-medusa-pg.XXXXXX")"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
[[ ${#as_pg[@]} -eq 0 ]] || chown "$pg_user" "$PG_DIR"

# Stops the cluster by the PID in postmaster.pid (a fast shutdown, then SIGKILL if it lingers) and removes
# the temp dir. Runs on every exit of this script.
stop_postgres() {
  local status=$?
  local pid_file="$PG_DATA/postmaster.pid" pid=""
  [[ -f "$pid_file" ]] && pid="$(head -n 1 "$pid_file")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid" 2>/dev/null || true # PostgreSQL's "fast" shutdown
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "PostgreSQL (pid $pid) stopped"
  fi
  if ((status != 0)) && [[ -f "$PG_LOG" ]]; then
    printf '%s\n' "--- the end of PostgreSQL's log:" >&2
    tail -n 30 "$PG_LOG" >&2 || true
  fi
  rm -rf "$PG_DIR"
  exit "$status"
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$NODE" -e 'const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
PG_PORT="$(free_port)"

# Runs as the PostgreSQL user from inside the temp dir (the repository may not be readable to it); its
# output is shown only if it fails.
pg() {
  local out
  out="$(cd "$PG_DIR" && "${as_pg[@]}" "$@" 2>&1)" || {
    printf '%s\n' "$out" >&2
    return 1
  }
}

step "initdb (PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), a private cluster in $PG_DIR)" \
  pg "$PG_BIN/initdb" --pgdata="$PG_DATA" --username=postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  --no-instructions --no-sync
step "start PostgreSQL on 127.0.0.1:$PG_PORT" \
  pg "$PG_BIN/pg_ctl" start --pgdata="$PG_DATA" --log="$PG_LOG" --wait --timeout=60 \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
step "createdb medusa" "$PG_BIN/createdb" --host=127.0.0.1 --port="$PG_PORT" --username=postgres medusa

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/medusa"
# The tests keep their Workers' KV here too, so the trap removes it whatever happens.
export MEDUSA_STAGE_TMP="$PG_DIR"

# --- Medusa's schema and the storefront's key -------------------------------------------------------------

ARTIFACTS="$REPO_ROOT/test-artifacts/medusa"
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

# backend_cli LOG ARGS...: the Medusa CLI in the backend's directory, its output in
# test-artifacts/medusa/LOG.log (the end of it shown if it fails). Both uses run with Medusa's own Auth
# Module (EDGE_AUTH_URL unset): no Worker is running yet, and the bridge has no tables of its own.
backend_cli() {
  local log="$ARTIFACTS/$1.log"
  shift
  (cd "$BACKEND" && env -u EDGE_AUTH_URL NO_COLOR=1 "${MEDUSA_CLI[@]}" "$@") >"$log" 2>&1 || {
    tail -n 40 "$log" >&2
    return 1
  }
}
step "medusa db:migrate (log: test-artifacts/medusa/migrate.log)" backend_cli migrate db:migrate
step "seed a sales channel and a publishable key (medusa exec)" \
  backend_cli seed exec ./src/scripts/seed-publishable-key.js
seed_output="$ARTIFACTS/seed.log"
MEDUSA_PUBLISHABLE_KEY="$(sed -n 's/^PUBLISHABLE_KEY=//p' "$seed_output" | tail -n 1)"
[[ "$MEDUSA_PUBLISHABLE_KEY" == pk_* ]] || die "the seed printed no publishable key:
$(cat "$seed_output")"
export MEDUSA_PUBLISHABLE_KEY
say "publishable key: $MEDUSA_PUBLISHABLE_KEY"

# --- the flows ---------------------------------------------------------------------------------------------

step "end-to-end flows: the Worker in workerd + Medusa 2.21.2 (node --test tests/medusa/)" \
  "$NODE" --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 "tests/medusa/*.test.mjs"
