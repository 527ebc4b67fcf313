#!/usr/bin/env bash
# bench/store.sh — the store's two engines side by side, in one run on this
# machine, on the shared generator's file (default 20M rows):
#
#   1. import: `psql \copy` of the file into a plain table (PostgreSQL's own
#      floor for loading these bytes), `shoplab read --db postgresql://…`
#      (ShopLab's import with COPY, grouping and report included) and
#      `shoplab read --db FILE.db` (SQLite), ROUNDS times each, interleaved,
#      every round into an empty database; medians and ratios;
#   2. reading: a report page (`/reports/1`, 100 rows of the 20M-row import)
#      under wrk at 64 connections, served from each engine.
#
# A throw-away PostgreSQL server runs for the length of the benchmark
# (tests/pg/cluster.sh: Unix socket only), and is removed after.
#
# Usage: bench/store.sh PATH/TO/shoplab      (./run bench builds a release binary)
# Env: SIZE (20m), ROUNDS (2), DURATION (20s), SLBENCH (/tmp/slbench),
#      OUT (bench/results/store-DATE.txt)
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
size=${SIZE:-20m} rounds=${ROUNDS:-2} duration=${DURATION:-20s}
SLBENCH=${SLBENCH:-/tmp/slbench}
data="$SLBENCH/ev_$size.csv"
mkdir -p "$here/results" "$SLBENCH/bin"
out=${OUT:-$here/results/store-$(date -u +%Y%m%dT%H%M%SZ).txt}
for c in psql wrk cc; do
    command -v "$c" >/dev/null || { echo "bench/store.sh: missing $c" >&2; exit 1; }
done
if [ ! -s "$data" ]; then
    rows=$(case "$size" in *m) echo $((${size%m} * 1000000)) ;; *k) echo $((${size%k} * 1000)) ;; *) echo "$size" ;; esac)
    cc -O2 -o "$SLBENCH/bin/gen" "$here/gen.c" -lm
    "$SLBENCH/bin/gen" "$rows" 42 >"$data.tmp" && mv "$data.tmp" "$data"
fi

work=$(mktemp -d)
chmod 755 "$work"
pg_dir="$work/pg"
cleanup() {
    [ -n "${sl_pid:-}" ] && kill "$sl_pid" 2>/dev/null || true
    "$here/../tests/pg/cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
base=$("$here/../tests/pg/cluster.sh" start "$pg_dir")
pg_uri() { echo "$base" | sed "s|/shoplab?|/$1?|"; }
fresh_db() { # NAME: an empty database of that name
    psql -q -X "$base" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}

now() { date +%s.%N; }
declare -A times
run_timed() { # LABEL COMMAND...
    local label=$1 t0 t1; shift
    t0=$(now)
    "$@"
    t1=$(now)
    times[$label]+="$(echo "$t1 - $t0" | bc) "
}

# Each load starts from the same state, and only the load is timed: its
# empty target is made first (dropping the last round's database is not
# part of anyone's import), then the server checkpoints and the kernel
# writes back, so no load pays for the dirty pages and WAL the one before
# it left (the steps run one after another, so otherwise ShopLab's import
# always followed psql's 2 GB load).
settle() {
    psql -q -X "$base" -c CHECKPOINT >/dev/null
    sync
}
psql_copy_setup() {
    fresh_db raw
    psql -q -X "$(pg_uri raw)" -c "CREATE TABLE raw (day text, creator_id text, video_id text,
        product_id text, views bigint, product_impressions bigint, product_clicks bigint,
        orders bigint, gmv numeric)" >/dev/null
}
psql_copy() {
    psql -q -X "$(pg_uri raw)" -c "\\copy raw FROM '$data' WITH (FORMAT csv, HEADER true)" >/dev/null
}
shoplab_pg_setup() {
    fresh_db shoplab_import
}
shoplab_pg() {
    "$bin" read --db "$(pg_uri shoplab_import)" "$data" --by video --output "$work/pg.csv" 2>/dev/null
}
shoplab_sqlite_setup() {
    rm -f "$work/store.db" "$work/store.db-wal" "$work/store.db-shm"
}
shoplab_sqlite() {
    "$bin" read --db "$work/store.db" "$data" --by video --output "$work/sqlite.csv" 2>/dev/null
}
shoplab_nostore() {
    "$bin" read --no-store "$data" --by video --output "$work/nostore.csv" 2>/dev/null
}

echo "store bench: $data ($(stat -c %s "$data") bytes), $rounds rounds" >&2
for r in $(seq "$rounds"); do
    echo ".. round $r" >&2
    for step in psql_copy shoplab_pg shoplab_sqlite shoplab_nostore; do
        ! declare -F "${step}_setup" >/dev/null || "${step}_setup"
        settle
        run_timed "$step" "$step"
    done
done
cmp -s "$work/pg.csv" "$work/sqlite.csv" || { echo "bench/store.sh: the two engines' reports differ" >&2; exit 1; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

wrk_page() { # STORE: requests/s and latency of one report page from it
    "$bin" serve --db "$1" --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
    sl_pid=$!
    for _ in $(seq 100); do grep -q serving "$work/serve.log" && break; sleep 0.1; done
    local url
    url=$(grep -o 'http://[^ ]*' "$work/serve.log")
    # The first view builds the report from the stored rows (timed apart);
    # wrk then measures the pages a reader browses after it.
    local t0 t1
    t0=$(now)
    curl -sf -o /dev/null "${url}reports/1"
    t1=$(now)
    printf 'first view %.2f s; ' "$(echo "$t1 - $t0" | bc)"
    wrk -t2 -c64 -d"$duration" --latency "${url}reports/1" >"$work/wrk.txt"
    kill "$sl_pid"; wait "$sl_pid" 2>/dev/null || true; sl_pid=
    awk '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{bad=$NF}
         END {printf "%s req/s, p50 %s, p99 %s, non-2xx %s\n", rps, p50, p99, bad ? bad : 0}' \
        "$work/wrk.txt"
}

{
    echo "date_utc: $(date -u +%FT%TZ)"
    echo "host: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
    echo "postgresql: $(psql --version)"
    echo "data: $data ($(stat -c %s "$data") bytes), medians of $rounds rounds"
    echo
    floor=$(echo "${times[psql_copy]}" | median)
    printf '%-40s %9s %9s   %s\n' "import" "median s" "× psql" "each round, s"
    for label in psql_copy shoplab_pg shoplab_sqlite shoplab_nostore; do
        m=$(echo "${times[$label]}" | median)
        printf '%-40s %9.2f %9.2f   %s\n' "$label" "$m" "$(echo "$m / $floor" | bc -l)" \
            "$(printf '%.2f ' ${times[$label]})"
    done
    # Each round's ratio: the two loads of a round ran minutes apart at most.
    printf '%-40s %9s %9s   %s\n' "shoplab_pg / psql_copy per round" "" "" \
        "$(paste -d/ <(echo "${times[shoplab_pg]}" | tr ' ' '\n' | grep .) \
                     <(echo "${times[psql_copy]}" | tr ' ' '\n' | grep .) |
           while read -r q; do printf '%.2f ' "$(echo "$q" | bc -l)"; done)"
    echo
    echo "report page /reports/1 under wrk -t2 -c64 -d$duration:"
    echo "  PostgreSQL: $(wrk_page "$(pg_uri shoplab_import)")"
    echo "  SQLite:     $(wrk_page "$work/store.db")"
} | tee "$out"
