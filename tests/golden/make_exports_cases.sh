#!/usr/bin/env bash
# make_exports_cases.sh — writes tests/golden/exports.test: one golden case per
# real-export fixture (tests/fixtures/exports/*.source), reading it with
# --explain, so every column's reading, the rows, totals, key and period are
# pinned.  Then fill in the outputs with update.sh and READ the diff.
#
# Usage: tests/golden/make_exports_cases.sh BUILD/shoplab
set -eu
cd "$(dirname "$0")/../.."
out=tests/golden/exports.test
: >"$out"
for note in tests/fixtures/exports/*.source; do
    file=$(sed -n 's/^file: //p' "$note")
    layout=$(sed -n 's/^layout: //p' "$note")
    market=$(sed -n 's/^market: //p' "$note")
    printf '### %s (%s): %s\nargs: read --no-store --explain tests/fixtures/exports/%s\nstdout:\n\n' \
        "$file" "$market" "$layout" "$file" >>"$out"
done
tests/golden/update.sh "$1" "$out"
