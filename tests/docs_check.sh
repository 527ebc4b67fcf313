#!/usr/bin/env bash
# docs_check.sh — everything the binary knows is documented: every command in
# `shoplab --help` is in the README, every exit code the CLI defines is in the
# README's table, and every source file is in the README's source map.
# Usage: docs_check.sh SHOPLAB_BINARY SOURCE_ROOT
set -u
bin=$1 root=$2
readme="$root/README.md"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }

for cmd in $("$bin" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}'); do
    grep -q "shoplab $cmd" "$readme" && ok || bad "command '$cmd' is not in the README"
done
for code in $(grep -o 'EXIT_[A-Z_]* = [0-9]*' "$root/src/cli/cli.h" | awk '{print $3}'); do
    grep -q "^| $code | " "$readme" && ok || bad "exit code $code is not in the README's table"
done
for file in $(cd "$root" && find src include -name '*.[ch]' | LC_ALL=C sort); do
    base=$(basename "$file")
    short=${file#src/lib/}
    grep -q "\`$short\`\|\`$file\`\|${file%/*}/cmd_\*" "$readme" && ok || bad "$file is not in the README's source map"
done
# A merge left half-done shows as conflict markers: none in the sources or docs.
if grep -rlE '^(<<<<<<<|>>>>>>>) ' "$root/README.md" "$root/docs" "$root/src" "$root/include" \
        "$root/tests/meson.build" "$root/meson.build" "$root/run" >/dev/null 2>&1; then
    bad "conflict markers in: $(grep -rlE '^(<<<<<<<|>>>>>>>) ' "$root/README.md" "$root/docs" \
        "$root/src" "$root/include" "$root/tests/meson.build" "$root/meson.build" "$root/run" | tr '\n' ' ')"
else
    ok
fi
echo "docs: $pass passed, $fail failed"
[ $fail = 0 ]
