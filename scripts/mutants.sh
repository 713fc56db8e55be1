#!/usr/bin/env bash
# Mutation testing of the security-critical files with cargo-mutants: every mutant the tests miss fails
# the run, unless .cargo/mutants.toml excludes it as equivalent (with its reason). That file is the one
# list of the files, and of the exclusions. Not part of test.sh: the whole list takes well over an hour
# on two cores (docs/development.md).
#
#   ./scripts/mutants.sh                              every file on the list
#   ./scripts/mutants.sh src/http/cors.rs ...         only these files (each must be on the list)
#   ./scripts/mutants.sh [FILE...] -- --jobs 2 ...    more arguments for `cargo mutants` after `--`
#
# Results, with one log per mutant: target/mutants.out/ (caught.txt, missed.txt, timeout.txt, unviable.txt).
# Exit status: 0 when nothing was missed (a timeout counts as caught: the mutant hung the tests), 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

MAJOR=27
OUT=target/mutants.out

if ! cargo mutants --version 2>/dev/null | grep -q "^cargo-mutants $MAJOR\."; then
    echo "mutants: installing cargo-mutants $MAJOR.x (a few minutes, once)"
    cargo install --locked --version "^$MAJOR" cargo-mutants
fi

files=()
extra=()
while (($#)); do
    case "$1" in
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) files+=("$1"); shift ;;
    esac
done

# --workspace: the KDF crate (crates/edge-auth-kdf) is on the list too.
# Narrowing by file: a copy of the config whose examine_globs are just these files (exclusions and test
# arguments kept). Neither `--file` (adds to the config's globs) nor `--re` (it matched mutants of other
# files) narrows the run.
config=.cargo/mutants.toml
if ((${#files[@]})); then
    listed=$(cargo mutants --workspace --list-files)
    globs=
    for f in "${files[@]}"; do
        f=${f#./}
        if ! grep -qxF "$f" <<<"$listed"; then
            echo "mutants: $f is not on the list in .cargo/mutants.toml" >&2
            exit 1
        fi
        globs+="\"$f\", "
    done
    mkdir -p target
    config=target/mutants-narrowed.toml
    awk -v globs="examine_globs = [${globs%, }]" '
        /^examine_globs = \[/ { print globs; skipping = 1; next }
        skipping && /^\]/ { skipping = 0; next }
        !skipping' .cargo/mutants.toml >"$config"
fi

# The copy's target/ starts empty: building the dependencies once in the mutants profile (about a minute)
# is quicker than copying ours, gigabytes of wasm and debug builds.
started=$SECONDS
status=0
cargo mutants --workspace --config "$config" --output target --copy-target=false "${extra[@]}" || status=$?
elapsed=$((SECONDS - started))

# Per file: caught / missed / timeout / unviable.
count() { # FILE KIND
    awk -F: -v f="$1" '$1 == f' "$OUT/$2.txt" 2>/dev/null | wc -l
}
echo
printf '%-36s %7s %7s %8s %9s\n' file caught missed timeout unviable
cat "$OUT"/{caught,missed,timeout,unviable}.txt 2>/dev/null | cut -d: -f1 | sort -u | while read -r f; do
    printf '%-36s %7s %7s %8s %9s\n' "$f" "$(count "$f" caught)" "$(count "$f" missed)" \
        "$(count "$f" timeout)" "$(count "$f" unviable)"
done
echo "mutants: ${elapsed}s"

# cargo-mutants exits 2 when it missed mutants and 3 when some timed out, but 3 wins when both happened,
# so the missed list decides.
case $status in
    0|2|3) ;;
    *) echo "mutants: cargo mutants failed (status $status); see $OUT/debug.log" >&2; exit 1 ;;
esac
if [ -s "$OUT/missed.txt" ]; then
    echo "mutants: missed (write a test that fails on each, or exclude it in .cargo/mutants.toml with the reason it is equivalent):" >&2
    sed 's/^/  /' "$OUT/missed.txt" >&2
    exit 1
fi
