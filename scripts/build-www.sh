#!/usr/bin/env bash
# Puts the npm package's browser build into www/pkg/, where the sign-in page's in-browser mode
# (www/local.html) imports it as /pkg/browser.js. A copy of pkg/ (made by scripts/build-pkg.sh), not a
# build of its own; www/pkg/ is git-ignored. Workers static assets then serve it like the rest of www/
# (and `wrangler deploy` uploads it, so the in-browser mode works wherever the page does).
#
#   scripts/build-www.sh             copies; fails if pkg/ has not been built
#   scripts/build-www.sh --if-built  copies if pkg/ exists, else says so and succeeds (scripts/run.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

if_built=false
case "${1:-}" in
  --if-built) if_built=true ;;
  "") ;;
  *) die "usage: scripts/build-www.sh [--if-built]" ;;
esac

# What browser.js needs at run time: the glue, the wasm, the error class and the snippet it re-exports.
files=(browser.js edge_auth.js edge_auth_bg.wasm errors.js snippets)
for file in "${files[@]}"; do
  if [[ ! -e "pkg/$file" ]]; then
    if $if_built; then
      say "www/pkg/ not updated: pkg/$file is missing (./scripts/build-pkg.sh builds it; the page's in-browser mode needs it)"
      exit 0
    fi
    die "pkg/$file is missing: run ./scripts/build-pkg.sh first"
  fi
done

rm -rf www/pkg
mkdir -p www/pkg
cp -R "${files[@]/#/pkg/}" www/pkg/
printf '    www/pkg/: %s\n' "$(cd www/pkg && find . -type f | sort | tr '\n' ' ')"
