#!/usr/bin/env bash
# run.sh — golden CLI tests: runs every case in tests/golden/*.test against
# the shoplab binary and compares stdout, stderr and the exit code exactly.
#
# Usage: run.sh SHOPLAB_BINARY CASE_FILE...
#
# Case format (one file may hold many cases; see tests/golden/README.md):
#   ### a name for the case
#   args: decode --views 8000 --clicks 96        (shell words; quotes work)
#   exit: 0                                      (default 0)
#   stdout:                                      (expected stdout follows)
#   ...
#   stderr:                                      (expected stderr follows)
#   ...
#   stdin:                                       (input fed to the program)
#   ...
# A section that is not given must be empty: a failing case with no stdout:
# section proves that nothing was written to stdout.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
cases=()
for f in "$@"; do cases+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
set -- "${cases[@]}"
cd "$(dirname "$0")/../.."   # cases name fixture files relative to the source root
export NO_COLOR=1 LC_ALL=C
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export SHOPLAB_DB="$tmp/golden.db"   # cases that store start from an empty store

run_case() {
    local file=$1 name=$2 args=$3 want_exit=$4
    # The blank line that separates cases is not part of the last section.
    sed -i '${/^$/d}' "$tmp/want_out" "$tmp/want_err" "$tmp/want_in"
    local -a argv
    eval "argv=($args)"
    "$bin" "${argv[@]}" >"$tmp/out" 2>"$tmp/err" <"$tmp/want_in"
    local got_exit=$?
    local ok=1
    if [ "$got_exit" != "$want_exit" ]; then
        echo "FAIL $file: $name: exit $got_exit, expected $want_exit"; ok=0
    fi
    if ! cmp -s "$tmp/out" "$tmp/want_out"; then
        echo "FAIL $file: $name: stdout differs"; diff -u "$tmp/want_out" "$tmp/out" | head -40; ok=0
    fi
    if ! cmp -s "$tmp/err" "$tmp/want_err"; then
        echo "FAIL $file: $name: stderr differs"; diff -u "$tmp/want_err" "$tmp/err" | head -40; ok=0
    fi
    if [ $ok = 1 ]; then pass=$((pass+1)); else fail=$((fail+1)); fi
}

for file in "$@"; do
    name="" args="" want_exit=0 section="" have=0
    : >"$tmp/want_out"; : >"$tmp/want_err"; : >"$tmp/want_in"
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
        "### "*)
            [ $have = 1 ] && run_case "$file" "$name" "$args" "$want_exit"
            name=${line#"### "} args="" want_exit=0 section="" have=1
            : >"$tmp/want_out"; : >"$tmp/want_err"; : >"$tmp/want_in"
            continue;;
        esac
        if [ -z "$section" ]; then
            case "$line" in
            "args: "*) args=${line#"args: "};;
            "exit: "*) want_exit=${line#"exit: "};;
            "stdout:") section=out;;
            "stderr:") section=err;;
            "stdin:") section=in;;
            "" | "#"*) ;;
            *) echo "FAIL $file: $name: cannot parse line: $line"; fail=$((fail+1));;
            esac
        elif [ "$line" = "stdout:" ]; then section=out
        elif [ "$line" = "stderr:" ]; then section=err
        elif [ "$line" = "stdin:" ]; then section=in
        else
            printf '%s\n' "$line" >>"$tmp/want_$section"
        fi
    done <"$file"
    [ $have = 1 ] && run_case "$file" "$name" "$args" "$want_exit"
done
echo "golden: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
