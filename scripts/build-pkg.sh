#!/usr/bin/env bash
# Builds the npm package `edge-auth` into pkg/ and packs it into build/npm/edge-auth-<version>.tgz.
#
# The crate is built with the `js` feature only (never `worker`: workers-rs adds ~400 KB of wasm) by
# wasm-pack with `--target web` glue. Hand-written files from npm/ are added: one entry per environment
# (workerd.js, node.js, browser.js, web.js), their types, the README and the package.json whose `exports`
# conditions pick the entry. Run scripts/setup.sh first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

# Same flags as scripts/build-worker.sh: --mode no-install uses the wasm-bindgen on PATH and never
# downloads one; --no-opt never runs a wasm-opt found on PATH (Debian's binaryen 108 breaks the module).
rm -rf pkg
wasm-pack --log-level warn build . \
  --target web --mode no-install --release --no-opt \
  --out-dir pkg --out-name edge_auth --no-pack \
  -- --features js

for artifact in pkg/edge_auth.js pkg/edge_auth.d.ts pkg/edge_auth_bg.wasm; do
  [[ -s "$artifact" ]] || die "wasm-pack did not produce $artifact"
done

# As in scripts/build-worker.sh: the wasm "name" section (function names, ~20 % of the module) only names
# frames in stack traces; a panic's message keeps its text. KEEP_WASM_NAMES=1 keeps it for debugging.
if [[ "${KEEP_WASM_NAMES:-}" != 1 ]]; then
  resolve_node
  "$NODE" scripts/strip-wasm-names.mjs pkg/edge_auth_bg.wasm
fi

# The glue imports the EdgeAuthError class from a snippet path with a hash in it; pkg/errors.js re-exports
# that very module, so `instanceof EdgeAuthError` holds for errors thrown by the wasm.
shopt -s nullglob
snippets=(pkg/snippets/*/src/js/errors.js)
shopt -u nullglob
((${#snippets[@]} == 1)) || die "expected one errors.js snippet under pkg/snippets, found ${#snippets[@]}"
printf '// The error class the wasm throws (re-exported from the snippet wasm-bindgen copied).\nexport { EdgeAuthError } from "./%s";\n' \
  "${snippets[0]#pkg/}" >pkg/errors.js

cp npm/node.js npm/workerd.js npm/browser.js npm/web.js npm/index.d.ts npm/web.d.ts npm/errors.d.ts npm/medusa.cjs npm/medusa.d.ts \
  npm/README.md pkg/
# The API's declarations on their own (edge_auth.d.ts has them too, with init types that need the DOM).
cp src/js/types.d.ts pkg/types.d.ts
rm -f pkg/.gitignore pkg/edge_auth_bg.wasm.d.ts

# package.json from npm/package.json with the crate's version.
version="$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)"
[[ -n "$version" ]] || die "no version in Cargo.toml"
sed "s/\"version\": \"[^\"]*\"/\"version\": \"$version\"/" npm/package.json >pkg/package.json

# Every file the package lists must exist, and the workers-rs crate must not be in the build.
for file in $(sed -n '/"files"/,/]/p' pkg/package.json | grep -o '"[^"]*"' | grep -v '"files"' | tr -d '"'); do
  [[ -e "pkg/$file" ]] || die "package.json lists $file but pkg/$file is missing"
done
if cargo tree --quiet --target "$WASM_TARGET" --features js -e normal --prefix none | grep -q '^worker v'; then
  die "the npm build depends on the worker crate: keep it behind the 'worker' feature"
fi

wasm_bytes=$(wc -c <pkg/edge_auth_bg.wasm)
wasm_gzip_bytes=$(gzip -9 -c pkg/edge_auth_bg.wasm | wc -c)
printf '    pkg/edge_auth_bg.wasm: %d bytes (%d KiB), gzip -9: %d bytes (%d KiB)\n' \
  "$wasm_bytes" $((wasm_bytes / 1024)) "$wasm_gzip_bytes" $((wasm_gzip_bytes / 1024))

mkdir -p build/npm
rm -f build/npm/edge-auth-*.tgz
(cd pkg && npm pack --silent --pack-destination ../build/npm >/dev/null)
[[ -s "build/npm/edge-auth-$version.tgz" ]] || die "npm pack did not produce build/npm/edge-auth-$version.tgz"
printf '    build/npm/edge-auth-%s.tgz: %d KiB\n' "$version" $(($(wc -c <"build/npm/edge-auth-$version.tgz") / 1024))
