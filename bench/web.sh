#!/usr/bin/env bash
# bench/web.sh — load on `shoplab serve` side by side with nginx serving a
# static copy of the same pages, in one run on this machine: wrk, 30 s, 64
# connections, 2 threads, against the term page and the decoder result page;
# requests/s, latency percentiles, errors, and the server's memory before
# and after (it must stay flat).
#
# Usage: bench/web.sh PATH/TO/shoplab     (./run bench builds a release binary)
# Env: DURATION (30s), CONNECTIONS (64), OUT (bench/results/web-DATE.txt)
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
duration=${DURATION:-30s} conns=${CONNECTIONS:-64}
work=$(mktemp -d)
mkdir -p "$here/results"
out=${OUT:-$here/results/web-$(date -u +%Y%m%dT%H%M%SZ).txt}
cleanup() {
    [ -n "${sl_pid:-}" ] && kill "$sl_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" read --db "$work/bench.db" "$here/../samples/practice-video-list.csv" >/dev/null
"$bin" serve --db "$work/bench.db" --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
sl_pid=$!
for _ in $(seq 50); do grep -q serving "$work/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/serve.log")
sl_port=$(echo "$url" | sed 's/.*:\([0-9]*\)\/$/\1/')

term="glossary/product-ctr"
decoder="decoder?views=12000&impressions=6000&clicks=150&orders=3&gmv=89.7"
# The static copies nginx serves: the very bytes ShopLab sends.
mkdir -p "$work/www/glossary"; chmod 755 "$work"
curl -sf "$url$term" -o "$work/www/glossary/product-ctr.html"
curl -sf "$url$decoder" -o "$work/www/decoder.html"

# A free port for nginx: the first one nothing answers on.
for ng_port in $(seq 28080 28180); do
    (exec 3<>"/dev/tcp/127.0.0.1/$ng_port") 2>/dev/null || break
done
cat >"$work/nginx.conf" <<CONF
worker_processes $(nproc);
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$ng_port;
        root $work/www;
        default_type text/html;
    }
}
CONF
chmod -R a+rX "$work/www"
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3

rss() { awk '/VmRSS/ {print $2}' "/proc/$sl_pid/status"; }
run() { # NAME URL
    local r
    r=$(wrk -t2 -c"$conns" -d"$duration" --latency "$2")
    local rps p50 p90 p99 errors non2xx
    rps=$(echo "$r" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$r" | awk '$1 == "50%" {print $2}')
    p90=$(echo "$r" | awk '$1 == "90%" {print $2}')
    p99=$(echo "$r" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$r" | awk '/Socket errors/ {print $0}' | sed 's/.*Socket errors: //')
    non2xx=$(echo "$r" | awk '/Non-2xx/ {print $NF}')
    printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p90" "$p99" \
        "${non2xx:-0} non-2xx${errors:+; $errors}"
}

{
    echo "# web load, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t2 -c$conns -d$duration"
    echo "shoplab: $("$bin" --version); nginx: $(nginx -v 2>&1 | sed 's/.*\///')"
    echo "RSS before: $(rss) KiB"
    echo
    echo "| target | requests/s | p50 | p90 | p99 | errors |"
    echo "|---|---:|---:|---:|---:|---|"
    run "shoplab term page (/$term)" "$url$term"
    run "nginx static copy of the term page" "http://127.0.0.1:$ng_port/glossary/product-ctr.html"
    run "shoplab decoder result (/decoder?…)" "$url$decoder"
    run "nginx static copy of the decoder result" "http://127.0.0.1:$ng_port/decoder.html"
    echo
    echo "RSS after: $(rss) KiB"
} | tee "$out"
