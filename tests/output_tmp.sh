#!/usr/bin/env bash
# output_tmp.sh — `--output FILE` writes FILE.tmp-PID-XXXXXX and renames it;
# a killed run leaves that file behind.  The next run with the same --output
# removes the ones whose writer is gone (no such pid) or that are over an
# hour old, and keeps a running writer's file, other outputs' files and
# anything that is not a regular file.
#
# Usage: output_tmp.sh SHOPLAB_BINARY SAMPLE_CSV
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") sample=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tmp=$(mktemp -d)
sleep 60 & live=$!
trap 'kill $live 2>/dev/null; rm -rf "$tmp"' EXIT
# No process has this pid: pids stay below pid_max.
dead=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 4194304)
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $1"; fi; }

out="$tmp/report.csv"
: >"$out.tmp-$dead-a1b2c3"                    # a killed writer's
: >"$out.tmp-$live-d4e5f6"                    # a running writer's
: >"$out.tmp-$live-g7h8i9"; touch -d '2 hours ago' "$out.tmp-$live-g7h8i9"  # pid reused
: >"$out.tmp-Xy12Zq"                          # an older ShopLab's name, fresh
: >"$out.tmp-Ab34Cd"; touch -d '2 hours ago' "$out.tmp-Ab34Cd"             # …and old
: >"$tmp/other.csv.tmp-$dead-j1k2l3"          # another output's
mkdir "$out.tmp-$dead-dirdir"                 # not a regular file
"$bin" read --no-store --format csv --output "$out" "$sample" 2>"$tmp/err"; rc=$?
check "the report is written (exit $rc)" '[ $rc = 0 ] && [ -s "$out" ]'
check "a dead writer's file is removed" '[ ! -e "$out.tmp-$dead-a1b2c3" ]'
check "the removal is said on stderr" 'grep -q "removed .*report.csv.tmp-$dead-a1b2c3, left by a run that was stopped" "$tmp/err"'
check "a running writer's file is kept" '[ -e "$out.tmp-$live-d4e5f6" ]'
check "a running pid's file over an hour old is removed" '[ ! -e "$out.tmp-$live-g7h8i9" ]'
check "a fresh file without a pid is kept" '[ -e "$out.tmp-Xy12Zq" ]'
check "an old file without a pid is removed" '[ ! -e "$out.tmp-Ab34Cd" ]'
check "another output's file is kept" '[ -e "$tmp/other.csv.tmp-$dead-j1k2l3" ]'
check "a directory is kept" '[ -d "$out.tmp-$dead-dirdir" ]'
left=$(ls "$tmp" | grep -c "report.csv.tmp-[0-9]*-......$")
check "the run leaves no file of its own (2 expected: the live one and the directory; got $left)" \
    '[ "$left" = 2 ]'
# A relative --output in the current directory.
(cd "$tmp" && : >"rel.csv.tmp-$dead-m1n2o3" &&
    "$bin" read --no-store --format csv --output rel.csv "$sample" 2>/dev/null)
check "a relative --output: the stale file is removed" \
    '[ -s "$tmp/rel.csv" ] && [ ! -e "$tmp/rel.csv.tmp-$dead-m1n2o3" ]'
# Not a file (a FIFO here, /dev/null in life): written straight to it,
# never replaced by a renamed file.
mkfifo "$tmp/pipe"
cat "$tmp/pipe" >"$tmp/from-pipe" &
reader=$!
"$bin" read --no-store --format csv --output "$tmp/pipe" "$sample" 2>/dev/null
wait $reader
check "--output to a FIFO writes through it and leaves it a FIFO" \
    '[ -p "$tmp/pipe" ] && grep -q "^TOTAL," "$tmp/from-pipe"'
"$bin" read --no-store --format csv --output "$tmp" "$sample" 2>"$tmp/dir-err"
check "--output to a directory is refused (exit 7) by name" \
    '[ $? = 7 ] && grep -q "is a directory" "$tmp/dir-err"'
echo "stale temporary files: $pass passed, $fail failed"
[ $fail = 0 ]
