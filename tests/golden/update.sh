#!/usr/bin/env bash
# update.sh — rewrites the expected output of golden cases from the current
# binary.  Use it when output changes on purpose, then READ the diff
# (git diff tests/golden): the expected text is the specification.
#
# Usage: tests/golden/update.sh BUILD/shoplab tests/golden/NAME.test...
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
cases=()
for f in "$@"; do cases+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
set -- "${cases[@]}"
cd "$(dirname "$0")/../.."   # as run.sh: file names are relative to the source root
export SHOPLAB_DB=$(mktemp -d)/golden.db
export NO_COLOR=1 LC_ALL=C
for file in "$@"; do
    out=$(mktemp)
    name="" args="" stdin_text="" section="" have=0
    flush() {
        [ $have = 1 ] || return 0
        local -a argv
        eval "argv=($args)"
        local o e rc
        # As in run.sh: the blank line before the next case is not input.
        [[ "$stdin_text" == *$'\n\n' ]] && stdin_text=${stdin_text%$'\n'}
        o=$(mktemp); e=$(mktemp)
        printf '%s' "$stdin_text" | "$bin" "${argv[@]}" >"$o" 2>"$e"
        rc=$?
        {
            printf '### %s\nargs: %s\n' "$name" "$args"
            [ "$rc" != 0 ] && printf 'exit: %s\n' "$rc"
            [ -n "$stdin_text" ] && printf 'stdin:\n%s' "$stdin_text"
            [ -s "$o" ] && { printf 'stdout:\n'; cat "$o"; }
            [ -s "$e" ] && { printf 'stderr:\n'; cat "$e"; }
            printf '\n'
        } >>"$out"
        rm -f "$o" "$e"
    }
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
        "### "*) flush; name=${line#"### "} args="" stdin_text="" section="" have=1; continue;;
        esac
        if [ -z "$section" ]; then
            case "$line" in
            "args: "*) args=${line#"args: "};;
            "stdin:") section=in;;
            "stdout:" | "stderr:") section=skip;;
            esac
        elif [ "$line" = "stdout:" ] || [ "$line" = "stderr:" ]; then section=skip
        elif [ "$line" = "stdin:" ]; then section=in
        elif [ "$section" = in ]; then stdin_text+="$line"$'\n'
        fi
    done <"$file"
    flush
    # Drop the blank line after the last case.
    sed -i '${/^$/d}' "$out"
    mv "$out" "$file"
done
