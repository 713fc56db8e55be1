#!/usr/bin/env bash
# Installs what building, running and testing the Worker need. Idempotent: every step checks first and
# prints one line; a repeat run takes seconds. Nothing is downloaded from GitHub: Rust tools come from
# crates.io, Node tools from npm, the browsers from Debian.
#
#   scripts/setup.sh             what `scripts/run.sh` needs
#   scripts/setup.sh --lint      plus rustfmt and clippy
#   scripts/setup.sh --browsers  plus headless Chromium + chromedriver and Firefox ESR + geckodriver
#   scripts/setup.sh --postgres  plus PostgreSQL's server (apt), for the medusa stage's private cluster
#   scripts/setup.sh --test      all of them (everything `scripts/test.sh` can use)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

for_lint=false
for_browsers=false
for_postgres=false
for arg in "$@"; do
  case "$arg" in
    --lint) for_lint=true ;;
    --browsers) for_browsers=true ;;
    --postgres) for_postgres=true ;;
    --test) for_lint=true for_browsers=true for_postgres=true ;;
    *) die "usage: scripts/setup.sh [--lint] [--browsers] [--postgres] [--test]" ;;
  esac
done

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
command -v npm >/dev/null ||
  die "npm not found: install Node.js and npm (any version on linux/x64, linux/arm64 and macOS x64, where npm brings Node 22; Node >= 22 elsewhere)"

# The version of the `wasm-bindgen` crate in Cargo.lock: the CLI must be exactly this version, or the JS
# glue it writes does not match the wasm the crate produced.
locked_wasm_bindgen_version() {
  awk '/^\[\[package\]\]/ { in_pkg = 0 }
       /^name = "wasm-bindgen"$/ { in_pkg = 1; next }
       in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

# Installs Debian packages, as root or through sudo. Elsewhere (macOS …) says what to install instead.
apt_install() {
  command -v apt-get >/dev/null ||
    die "the chosen test stages need $* (Debian's names) and there is no apt-get here: put Chromium + chromedriver and Firefox + geckodriver (browser stages) or PostgreSQL's server (medusa) on PATH yourself, or run only the stages that need neither: ./scripts/test.sh docs rust worker"
  local sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  step "apt-get update" "${sudo[@]}" apt-get update -qq
  step "apt-get install $*" "${sudo[@]}" apt-get install -y -qq "$@"
}

# --- Rust ------------------------------------------------------------------------------------------------

if rustup target list --installed | grep -qx "$WASM_TARGET"; then
  skip "rustup target $WASM_TARGET" "installed"
else
  step "rustup target add $WASM_TARGET" rustup target add "$WASM_TARGET"
fi

if $for_lint; then
  installed_components="$(rustup component list --installed)"
  for component in rustfmt clippy; do
    if grep -q "^$component" <<<"$installed_components"; then
      skip "rustup component $component" "installed"
    else
      step "rustup component add $component" rustup component add "$component"
    fi
  done
fi

if [[ "$(wasm-pack --version 2>/dev/null || true)" == "wasm-pack $WASM_PACK_VERSION" ]]; then
  skip "wasm-pack $WASM_PACK_VERSION" "installed"
else
  # npm's wasm-pack downloads from GitHub; building it from crates.io is the way that works (~2-3 min).
  step "cargo install wasm-pack $WASM_PACK_VERSION" \
    cargo install --locked wasm-pack --version "$WASM_PACK_VERSION"
fi

[[ -f Cargo.lock ]] || die "Cargo.lock is missing: it pins wasm-bindgen, run 'cargo generate-lockfile'"
wasm_bindgen_version="$(locked_wasm_bindgen_version)"
[[ -n "$wasm_bindgen_version" ]] || die "no wasm-bindgen package in Cargo.lock"
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" == "wasm-bindgen $wasm_bindgen_version" ]]; then
  skip "wasm-bindgen-cli $wasm_bindgen_version" "installed"
else
  # No --locked: its lockfile names a transitive version that is no longer on crates.io (~2-4 min).
  step "cargo install wasm-bindgen-cli $wasm_bindgen_version (= Cargo.lock)" \
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

# --- Node: wrangler, miniflare and the Node 22 binary that runs them -------------------------------------

# sha256sum on Linux, shasum on macOS.
sha256_of_stdin() {
  if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1
}

npm_stamp_file="node_modules/.edge-auth-npm-ci.stamp"
npm_stamp="$(cat package.json package-lock.json | sha256_of_stdin)"
if [[ -f "$npm_stamp_file" && "$(cat "$npm_stamp_file")" == "$npm_stamp" ]]; then
  skip "npm ci" "node_modules matches package-lock.json"
else
  # --loglevel=error hides the EBADENGINE warnings of the system npm's older Node: wrangler never runs on it
  # (resolve_node picks a Node >= 22). The Node 22 packages are optional dependencies: npm installs the one
  # matching this machine, if any, and skips the others.
  step "npm ci" npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_stamp" >"$npm_stamp_file"
fi
resolve_node
say "node $("$NODE" --version) for wrangler and the tests ($NODE)"

# --- Browser for `wasm-pack test --headless --chrome` ----------------------------------------------------

if $for_browsers; then
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    skip "chromium + chromedriver" "installed"
  else
    apt_install chromium chromium-driver
  fi
fi

# --- Firefox for `wasm-pack test --headless --firefox` (the npm package's API in Gecko) ---------------------

GECKODRIVER_VERSION="0.37.1"
if $for_browsers; then
  if command -v firefox-esr >/dev/null || command -v firefox >/dev/null; then
    skip "firefox-esr" "installed"
  else
    # Debian's ESR build: Mozilla's own downloads are out of reach here.
    apt_install firefox-esr
  fi
  geckodriver_installed="$(geckodriver --version 2>/dev/null || true)"
  if [[ "${geckodriver_installed%%$'\n'*}" == "geckodriver $GECKODRIVER_VERSION" ]]; then
    skip "geckodriver $GECKODRIVER_VERSION" "installed"
  else
    # From crates.io (its GitHub release binaries are unreachable), ~4 min.
    step "cargo install geckodriver $GECKODRIVER_VERSION" cargo install geckodriver --version "$GECKODRIVER_VERSION"
  fi
fi

# --- PostgreSQL for the medusa stage (tests/medusa/run.sh runs a private cluster of its own) --------------

# Whether PostgreSQL's server binaries are here: Debian keeps them in /usr/lib/postgresql/<version>/bin.
postgres_installed() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null
}

if $for_postgres; then
  if postgres_installed; then
    skip "postgresql" "installed"
  else
    # Debian's package would create a cluster "main" and start it on port 5432; the stage needs only the
    # binaries, so postgresql-common is told not to (its createcluster.d drop-ins are read at install).
    sudo=()
    [[ $EUID -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" |
      "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/edge-auth-no-main-cluster.conf >/dev/null
    apt_install postgresql
    postgres_installed || die "apt installed postgresql, but no initdb is in /usr/lib/postgresql/*/bin"
  fi
fi
