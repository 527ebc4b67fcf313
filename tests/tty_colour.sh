#!/usr/bin/env bash
# tty_colour.sh — colour appears only on a terminal, and never with NO_COLOR.
# `script` (util-linux) gives the program a pseudo-terminal.
# Usage: tty_colour.sh SHOPLAB_BINARY
set -u
bin=$1
args="decode --views 100 --impressions 6000 --clicks 150 --orders 3"
esc=$'\033['
fail=0
on_tty=$(unset NO_COLOR; script -qec "$bin $args" /dev/null)
case "$on_tty" in *"$esc"*) ;; *) echo "FAIL: no colour on a terminal"; fail=1;; esac
no_color=$(NO_COLOR=1 script -qec "$bin $args" /dev/null)
case "$no_color" in *"$esc"*) echo "FAIL: colour despite NO_COLOR"; fail=1;; esac
piped=$(unset NO_COLOR; "$bin" $args)
case "$piped" in *"$esc"*) echo "FAIL: colour into a pipe"; fail=1;; esac
[ $fail = 0 ] && echo "tty colour: 3 passed, 0 failed"
exit $fail
