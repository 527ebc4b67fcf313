#!/usr/bin/env bash
# bench/run.sh — start-to-exit latency of the CLI, side by side with peers.
#
# Usage: bench/run.sh PATH/TO/shoplab   (./run bench builds a release binary)
#
# hyperfine times each command over many runs in one session, so the ratios
# between rows are meaningful on any machine:
#   true        — the cost of starting a process at all (the floor)
#   awk         — a peer doing only the arithmetic (two ratios, no intervals)
#   shoplab …   — decode, compare, and the heaviest statistic (exact Bayes sum)
# Results go to bench/results/ (ignored by git); the README quotes them.
set -euo pipefail
bin=$(realpath "$1")
out=bench/results
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
awk_bin=$(command -v mawk || command -v awk)

hyperfine -N --warmup 20 --runs 300 \
    --export-markdown "$out/$stamp-latency.md" --export-json "$out/$stamp-latency.json" \
    -n 'true (process floor)' 'true' \
    -n 'awk: two ratios' "$awk_bin 'BEGIN { printf \"%f %f\n\", 150/6000, 3/150 }'" \
    -n 'shoplab decode' "$bin decode --views 12000 --impressions 6000 --clicks 150 --orders 3 --gmv 89.7" \
    -n 'shoplab decode --json' "$bin decode --views 12000 --impressions 6000 --clicks 150 --orders 3 --json" \
    -n 'shoplab compare' "$bin compare --metric ctr --a-trials 10000 --a-successes 312 --b-trials 10000 --b-successes 365" \
    -n 'shoplab stats bayes (1e6 terms)' "$bin stats bayes --a-successes 1000000 --a-trials 100000000 --b-successes 1001000 --b-trials 100000000 --json"
echo "results: $out/$stamp-latency.md"
