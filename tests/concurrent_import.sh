#!/usr/bin/env bash
# concurrent_import.sh — two processes import the same file into one store at
# once: one import is stored, the other says "already imported", both exit 0
# (the duplicate check runs inside the write transaction).  Then two
# different files at once: both stored.
#
# Usage: concurrent_import.sh SHOPLAB_BINARY
set -u
bin=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# A file large enough that the two imports overlap (about 1.6 MB), small
# enough that the loser waits within the store's 5 s busy timeout even
# under the sanitizers.
awk 'BEGIN { print "Video ID,Views,Product impressions,Product clicks,Orders";
             for (i = 0; i < 40000; i++)
                 printf "74%017d,%d,%d,%d,%d\n", i, 1000 + i % 997, 400 + i % 101, 10 + i % 13, i % 3 }' \
    >"$tmp/a.csv"
sed 's/^74/75/' "$tmp/a.csv" >"$tmp/b.csv"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $1"; fi; }

for round in 1 2 3; do
    db="$tmp/same-$round.db"
    "$bin" read --db "$db" --format json "$tmp/a.csv" >"$tmp/out1" 2>"$tmp/err1" & p1=$!
    "$bin" read --db "$db" --format json "$tmp/a.csv" >"$tmp/out2" 2>"$tmp/err2" & p2=$!
    wait $p1; r1=$?; wait $p2; r2=$?
    check "round $round: both exit 0 (got $r1 and $r2; $(cat "$tmp/err1" "$tmp/err2"))" \
        '[ $r1 = 0 ] && [ $r2 = 0 ]'
    n=$("$bin" history --db "$db" --json | grep -c '"id"')
    check "round $round: one import stored (got $n)" '[ "$n" = 1 ]'
    stored=$(cat "$tmp/out1" "$tmp/out2" | grep -c '"already_stored": true')
    check "round $round: one of the two says already imported (got $stored)" '[ "$stored" = 1 ]'
done

db="$tmp/two.db"
"$bin" read --db "$db" "$tmp/a.csv" >/dev/null 2>"$tmp/err1" & p1=$!
"$bin" read --db "$db" "$tmp/b.csv" >/dev/null 2>"$tmp/err2" & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
n=$("$bin" history --db "$db" --json | grep -c '"id"')
check "two files at once: both stored (exits $r1 $r2, $n imports; $(cat "$tmp/err1" "$tmp/err2"))" \
    '[ $r1 = 0 ] && [ $r2 = 0 ] && [ "$n" = 2 ]'
echo "concurrent: $pass passed, $fail failed"
[ $fail = 0 ]
