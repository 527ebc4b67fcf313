#!/usr/bin/env bash
# cluster.sh — a throw-away PostgreSQL server for the tests.
#
#   tests/pg/cluster.sh start DIR   initdb into DIR, start the server, create
#                                   the database `shoplab`, print its conninfo
#   tests/pg/cluster.sh stop DIR    stop the server and remove DIR
#
# The server listens only on a Unix socket in DIR (listen_addresses=''), so
# it never takes a TCP port another run or a real server uses, and trusts
# local connections, so no password is stored anywhere.  PostgreSQL refuses
# to run as root: as root the server runs as the system user `shoplabtest`
# (created once), which owns DIR.  Durability is off (fsync, synchronous
# commit): the data lives for one test run.  `stop` works on a half-started
# DIR too, since the caller runs it from a trap whatever happened.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1 dir=$2
MARK=.shoplab-test-cluster   # stop removes only a directory start made

bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    d=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    echo "cluster.sh: no initdb/pg_ctl (Debian package postgresql)" >&2
    return 1
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u shoplabtest -- "$@"
    else
        "$@"
    fi
}

case $cmd in
start)
    bin=$(bindir)
    # The socket path (DIR/.s.PGSQL.5432) must fit in sockaddr_un's 107 bytes.
    [ ${#dir} -le 80 ] || { echo "cluster.sh: $dir is too long for a socket path" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    touch "$dir/$MARK"
    if [ "$(id -u)" -eq 0 ]; then
        id shoplabtest >/dev/null 2>&1 ||
            useradd --system --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin shoplabtest
        chown shoplabtest: "$dir"
        chmod 700 "$dir"
    fi
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=shoplab --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
        --options="-k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/psql" -X -q -h "$dir" -U shoplab -d postgres \
        -c "CREATE DATABASE shoplab" >/dev/null
    echo "postgresql:///shoplab?host=$dir&user=shoplab"
    ;;
stop)
    [ -d "$dir" ] || exit 0
    [ -e "$dir/$MARK" ] || { echo "cluster.sh: $dir is not a test cluster; left alone" >&2; exit 1; }
    if [ -f "$dir/data/postmaster.pid" ]; then
        bin=$(bindir)
        as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null 2>&1 ||
            true
    fi
    rm -rf "$dir"
    ;;
*)
    usage
    ;;
esac
