#!/usr/bin/env bash
# width_check.sh — every plain-text page and list fits 80 columns: each term
# page, each guide, the term and guide lists, every help text, and a drill
# session of every scenario.  (Bytes are counted, so accented and CJK text
# is checked conservatively.)
# Usage: width_check.sh SHOPLAB_BINARY
set -u
shopt -s lastpipe   # so check() in a pipeline updates the counters
bin=$1
export NO_COLOR=1 LC_ALL=C
pass=0 fail=0
check() { # description, then the command's output on stdin
    local long
    long=$(awk 'length($0) > 80 { print NR": "$0; exit }')
    if [ -n "$long" ]; then fail=$((fail+1)); echo "FAIL $1: line over 80 columns: $long"
    else pass=$((pass+1)); fi
}
for slug in $("$bin" terms --json | sed -n 's/^ *"slug": "\(.*\)",*$/\1/p'); do
    "$bin" define "$slug" | check "define $slug"
done
for slug in $("$bin" guide --json | sed -n 's/^ *"slug": "\(.*\)",*$/\1/p'); do
    "$bin" guide "$slug" | check "guide $slug"
done
"$bin" terms | check "terms"
"$bin" guide | check "guide list"
for cmd in "" decode compare define terms same guide drill "stats interval" "stats ztest" \
           "stats fisher" "stats bayes" "stats msprt" "stats sample-size" journal \
           "journal plan" "journal replan" "journal look" "journal close" "journal list" \
           "journal show" "journal export"; do
    "$bin" $cmd --help | check "help $cmd"
done
for type in pick tag read; do
    yes 1 | head -100 | "$bin" drill --type $type --count 100 --seed 1 | check "drill $type"
done
echo "width: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 50 ]
