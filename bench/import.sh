#!/usr/bin/env bash
# bench/import.sh — the importer's bulk path side by side with peer tools, on
# the shared generator's files (1M and 20M rows): DuckDB (2 threads and 1),
# mawk, and zsv when a local build is present, timed by run_anchors.sh in one
# pass and cross-checked by verify.py (every group, every sum).
#
# Usage: bench/import.sh PATH/TO/shoplab      (./run bench builds a release binary)
# Env: SIZES ("1m 20m"), KEYS ("video_id creator_id"), SLBENCH (/tmp/slbench: data,
#      node_modules and every output), TOOLS (the peers).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export SHOPLAB=$(realpath "$1")
export SLBENCH=${SLBENCH:-/tmp/slbench}
mkdir -p "$SLBENCH/node"
if [ ! -d "$SLBENCH/node/node_modules/@duckdb/node-api" ]; then
    (cd "$SLBENCH/node" && { [ -f package.json ] || npm init -y >/dev/null; } &&
        npm install --no-audit --no-fund @duckdb/node-api >&2) ||
        echo "bench: DuckDB could not be installed; its rows are skipped" >&2
fi
TOOLS=${TOOLS:-"duckdb duckdb_t1 mawk zsv_sql"} EXTRA_TOOLS=shoplab \
    SIZES=${SIZES:-"1m 20m"} "$here/run_anchors.sh"
