#!/usr/bin/env bash
# run.sh — runs one of the web tests (raw.mjs or browser.mjs) with node.
# Needs node and tests/web/node_modules (`npm ci` in tests/web; `./run test`
# does it) and, for the browser test, /usr/bin/chromium.  Without them the
# test is skipped (exit 77) unless SHOPLAB_REQUIRE_WEB_TESTS=1, as `./run
# test` sets, so CI can never pass by skipping.
# Usage: run.sh TEST.mjs ARGS...
set -u
here=$(cd "$(dirname "$0")" && pwd)
script=$1; shift
missing=""
command -v node >/dev/null || missing="node"
[ -d "$here/node_modules/playwright-core" ] && [ -d "$here/node_modules/axe-core" ] ||
    missing="$missing tests/web/node_modules (npm ci)"
if [[ "$script" == browser*.mjs ]] && [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    missing="$missing chromium"
fi
if [ -n "$missing" ]; then
    echo "web test $script: missing $missing" >&2
    [ "${SHOPLAB_REQUIRE_WEB_TESTS:-0}" = 1 ] && exit 1
    exit 77
fi
bin=$(realpath "$1"); shift
cd "$here" && exec node --test-reporter=tap "$script" "$bin" "$@"
