#!/usr/bin/env bash
# tty_progress.sh — `shoplab read` shows a progress bar on stderr for a file
# of several MB when stderr is a terminal, and never into a pipe or file (or
# for a small file).  `script` (util-linux) gives the program a terminal.
# Usage: tty_progress.sh SHOPLAB_BINARY
set -u
bin=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
big=$tmp/big.csv
{
    echo "Video ID,Views,Product impressions,Product clicks,Orders"
    for ((i = 0; i < 300000; i++)); do echo "v$((i % 997)),1000,400,20,1"; done
} >"$big"
fail=0
on_tty=$(script -qec "$bin read --no-store --format csv $big >/dev/null" /dev/null)
case "$on_tty" in *"reading ["*"100%"*) ;; *) echo "FAIL: no progress bar on a terminal"; fail=1;; esac
piped=$("$bin" read --no-store --format csv "$big" 2>&1 >/dev/null)
case "$piped" in *"reading ["*) echo "FAIL: progress bar into a pipe"; fail=1;; esac
small=$(script -qec "$bin read --no-store --format csv $(dirname "$0")/fixtures/import/y_quoted_titles.csv >/dev/null" /dev/null)
case "$small" in *"reading ["*) echo "FAIL: progress bar for a small file"; fail=1;; esac
[ $fail = 0 ] && echo "tty progress: 3 passed, 0 failed"
exit $fail
