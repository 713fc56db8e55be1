#!/usr/bin/env bash
# Mutation testing of the security-critical files with cargo-mutants: every mutant the tests miss fails
# the run, unless .cargo/mutants.toml excludes it as equivalent (with its reason). That file is the one
# list of the files, and of the exclusions. Not part of test.sh: the whole list takes hours on two cores
# (docs/development.md), so each file's last complete run is kept in .cargo/mutants-record.tsv with the
# file's content hash, and --stale runs only the files changed since.
#
#   ./scripts/mutants.sh                              every file on the list
#   ./scripts/mutants.sh src/http/cors.rs ...         only these files (each must be on the list)
#   ./scripts/mutants.sh --stale                      the files whose record is missing or out of date
#   ./scripts/mutants.sh --status                     each file's recorded counts, and whether current
#   ./scripts/mutants.sh [FILE...] -- --jobs 2 ...    more arguments for `cargo mutants` after `--`
#
# Results, with one log per mutant: target/mutants.out/ (caught.txt, missed.txt, timeout.txt, unviable.txt).
# Exit status: 0 when nothing was missed (a timeout counts as caught: the mutant hung the tests), 1 otherwise;
# --status: 0 when every file's record is current and has nothing missed.
set -euo pipefail
cd "$(dirname "$0")/.."

MAJOR=27
OUT=target/mutants.out
RECORD=.cargo/mutants-record.tsv

files=()
extra=()
mode=run
while (($#)); do
    case "$1" in
        --) shift; extra=("$@"); break ;;
        --stale) mode=stale; shift ;;
        --status) mode=status; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) files+=("${1#./}"); shift ;;
    esac
done

if ! cargo mutants --version 2>/dev/null | grep -q "^cargo-mutants $MAJOR\."; then
    echo "mutants: installing cargo-mutants $MAJOR.x (a few minutes, once)"
    cargo install --locked --version "^$MAJOR" cargo-mutants
fi

# --workspace: the KDF crate (crates/edge-auth-kdf) is on the list too.
listed=$(cargo mutants --workspace --list-files)

# The record: one line per file, from its last complete run. A file is current while its content hash
# is the recorded one (the tests around it only grow; a change elsewhere that makes a caught mutant
# pass is not seen until the file is run again, which a run of the whole list settles).
recorded_hash() { # FILE
    [ -f "$RECORD" ] && awk -F'\t' -v f="$1" '$1 == f { print $2 }' "$RECORD"
    return 0
}
is_current() { # FILE
    [ "$(recorded_hash "$1")" = "$(git hash-object "$1")" ]
}

if [ "$mode" = status ]; then
    printf '%-36s %7s %7s %8s %9s  %-8s %s\n' file caught missed timeout unviable state "run at"
    ok=0
    totals=(0 0 0 0)
    while read -r f; do
        line=$( ([ -f "$RECORD" ] && awk -F'\t' -v f="$f" '$1 == f' "$RECORD") || true)
        if [ -z "$line" ]; then
            printf '%-36s %7s %7s %8s %9s  %-8s\n' "$f" - - - - never
            ok=1
            continue
        fi
        IFS=$'\t' read -r _ hash commit caught missed timeout unviable date <<<"$line"
        state=current
        [ "$hash" = "$(git hash-object "$f")" ] || { state=stale; ok=1; }
        ((missed == 0)) || ok=1
        totals=($((totals[0] + caught)) $((totals[1] + missed)) $((totals[2] + timeout)) $((totals[3] + unviable)))
        printf '%-36s %7s %7s %8s %9s  %-8s %s %s\n' "$f" "$caught" "$missed" "$timeout" "$unviable" \
            "$state" "$commit" "$date"
    done <<<"$listed"
    printf '%-36s %7s %7s %8s %9s\n' total "${totals[@]}"
    exit $ok
fi

if [ "$mode" = stale ]; then
    while read -r f; do
        is_current "$f" || files+=("$f")
    done <<<"$listed"
    if ((${#files[@]} == 0)); then
        echo "mutants: every file's record is current (./scripts/mutants.sh --status)"
        exit 0
    fi
    echo "mutants: ${#files[@]} files changed since their last run: ${files[*]}"
fi

# Narrowing by file: a copy of the config whose examine_globs are just these files (exclusions and test
# arguments kept). Neither `--file` (adds to the config's globs) nor `--re` (it matched mutants of other
# files) narrows the run.
config=.cargo/mutants.toml
if ((${#files[@]})); then
    globs=
    for f in "${files[@]}"; do
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
else
    mapfile -t files <<<"$listed"
fi

# What the run examines, hashed now: cargo-mutants copies the tree as it starts.
declare -A hashes
for f in "${files[@]}"; do
    hashes[$f]=$(git hash-object "$f")
done
head_commit=$(git rev-parse --short HEAD)

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
for f in "${files[@]}"; do
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

# A complete run of each file goes into the record, unless arguments after `--` may have left some of its
# mutants out (anything but --jobs).
complete=true
for a in "${extra[@]}"; do
    [[ "$a" =~ ^(--jobs|-j|--jobs=[0-9]+|[0-9]+)$ ]] || complete=false
done
if $complete; then
    date=$(date -u +%Y-%m-%dT%H:%MZ)
    touch "$RECORD"
    for f in "${files[@]}"; do
        line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$f" "${hashes[$f]}" "$head_commit" \
            "$(count "$f" caught)" "$(count "$f" missed)" "$(count "$f" timeout)" "$(count "$f" unviable)" "$date")
        awk -F'\t' -v f="$f" '$1 != f' "$RECORD" >"$RECORD.tmp"
        printf '%s\n' "$line" >>"$RECORD.tmp"
        sort -o "$RECORD" "$RECORD.tmp"
        rm "$RECORD.tmp"
    done
    echo "mutants: recorded in $RECORD (commit it with the change)"
else
    echo "mutants: not recorded (arguments after -- may have left mutants out)"
fi

if [ -s "$OUT/missed.txt" ]; then
    echo "mutants: missed (write a test that fails on each, or exclude it in .cargo/mutants.toml with the reason it is equivalent):" >&2
    sed 's/^/  /' "$OUT/missed.txt" >&2
    exit 1
fi
