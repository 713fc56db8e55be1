#!/usr/bin/env bash
# Where the Worker's wasm bytes go: sections, code per crate, the largest functions, and the shipped size
# against the budget of scripts/check-size.sh.
#
#   ./scripts/size-report.sh [--top N] [--compare-argon2id]
#
# Builds the Worker exactly as scripts/build-worker.sh does (same features and profile, so cargo reuses its
# artifacts: usually seconds), but into build/size-report/ with the function names kept, which the report
# needs; the shipped size is measured on a copy stripped the way build-worker.sh strips it.
# --compare-argon2id also builds without the `argon2id` feature and prints what Argon2id adds (~1 min the
# first time).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

top=25
compare_argon2id=false
while (($#)); do
  case "$1" in
    --top) top="$2"; shift 2 ;;
    --compare-argon2id) compare_argon2id=true; shift ;;
    *) die "usage: scripts/size-report.sh [--top N] [--compare-argon2id]" ;;
  esac
done

resolve_node
command -v wasm-pack >/dev/null || die "wasm-pack not found: run scripts/setup.sh"

# $1: output directory; the rest: cargo arguments. The wasm-pack flags are build-worker.sh's.
build_worker_into() {
  local out_dir="$1"
  shift
  wasm-pack --log-level warn build . \
    --target web --mode no-install --release --no-opt \
    --out-dir "$out_dir" --out-name edge_auth --no-typescript --no-pack \
    -- "$@"
  "$NODE" scripts/strip-wasm-names.mjs "$out_dir/edge_auth_bg.wasm" "$out_dir/edge_auth_bg.stripped.wasm"
}

gzip_bytes() { gzip -9 -c "$1" | wc -c; }

step "build the Worker with function names (build/size-report/)" \
  build_worker_into build/size-report --features worker

"$NODE" scripts/size-report.mjs build/size-report/edge_auth_bg.wasm --top "$top"

echo
echo "Shipped (names stripped, as scripts/build-worker.sh does):"
"$REPO_ROOT/scripts/check-size.sh" build/size-report/edge_auth_bg.stripped.wasm || true

if $compare_argon2id; then
  step "build the Worker without Argon2id (build/size-report-no-argon2id/)" \
    build_worker_into build/size-report-no-argon2id --no-default-features --features worker
  with=build/size-report/edge_auth_bg.stripped.wasm
  without=build/size-report-no-argon2id/edge_auth_bg.stripped.wasm
  echo
  echo "| Worker wasm (names stripped) | raw bytes | gzip -9 bytes |"
  echo "|---|---:|---:|"
  echo "| with argon2id (default) | $(wc -c <"$with") | $(gzip_bytes "$with") |"
  echo "| without (--no-default-features) | $(wc -c <"$without") | $(gzip_bytes "$without") |"
  echo "| Argon2id adds | $(($(wc -c <"$with") - $(wc -c <"$without"))) | $(($(gzip_bytes "$with") - $(gzip_bytes "$without"))) |"
fi
