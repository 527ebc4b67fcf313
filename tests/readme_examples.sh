#!/usr/bin/env bash
# readme_examples.sh — runs every example in the README so the documentation
# cannot drift from the program.  A ```console block holds lines
# "$ shoplab ARGS" followed by the exact output (stdout and stderr together).
#
# Usage: readme_examples.sh SHOPLAB_BINARY README.md
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
readme=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$(dirname "$0")/.."   # examples name files relative to the source root
export NO_COLOR=1 LC_ALL=C
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export SHOPLAB_DB="$tmp/readme.db"   # examples that store start from an empty store
in_block=0 cmd=""

check() {
    [ -z "$cmd" ] && return
    local -a argv
    eval "argv=(${cmd#shoplab })"
    "$bin" "${argv[@]}" >"$tmp/got" 2>&1 </dev/null
    if cmp -s "$tmp/got" "$tmp/want"; then
        pass=$((pass+1))
    else
        fail=$((fail+1)); echo "FAIL README example: \$ $cmd"
        diff -u "$tmp/want" "$tmp/got" | head -40
    fi
    cmd=""
}

while IFS= read -r line || [ -n "$line" ]; do
    if [ $in_block = 0 ]; then
        [ "$line" = '```console' ] && in_block=1
        continue
    fi
    case "$line" in
    '```') check; in_block=0;;
    '$ shoplab '*) check; cmd=${line#'$ '}; : >"$tmp/want";;
    *) [ -n "$cmd" ] && printf '%s\n' "$line" >>"$tmp/want";;
    esac
done <"$readme"
echo "readme: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
